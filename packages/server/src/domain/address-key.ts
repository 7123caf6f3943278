import ipaddr from 'ipaddr.js';

/**
 * What a per-address limit counts a client address as. An IPv4 address is one client. An IPv6 address is
 * its /64: one subscriber, one LAN or one cloud instance is routinely given a whole /64 and may send from
 * any of its 2^64 addresses, so counting each address alone would let one client guess without limit.
 * An IPv4 address written as IPv4-mapped IPv6 (`::ffff:203.0.113.7`, what a dual-stack socket reports) is
 * that IPv4 address. Text that is not an IP address (a proxy header a trusted proxy passed on as it came)
 * is its own key.
 *
 * The failure limit of /verify and forward-auth, the probe budget of imports and searches, the sign-in
 * limits and the per-route request limits all count by this key (docs/security.md, "Abuse limits").
 */
export function addressKey(address: string): string {
  if (address.indexOf(':') === -1) return address; // IPv4 (or not an address): the hot case, no parsing
  let key = ipv6Keys.get(address);
  if (key === undefined) {
    key = ipv6Key(address);
    if (ipv6Keys.size >= MAX_MEMO) ipv6Keys.clear();
    ipv6Keys.set(address, key);
  }
  return key;
}

// A limited address is looked up on each of its requests: parse each distinct text once. Cleared when
// full, so a flood of distinct texts costs a parse each and no memory beyond this bound.
const MAX_MEMO = 4096;
const ipv6Keys = new Map<string, string>();

function ipv6Key(address: string): string {
  const zone = address.indexOf('%'); // fe80::1%eth0: the zone names an interface, not another client
  const text = zone === -1 ? address : address.slice(0, zone);
  if (!ipaddr.IPv6.isValid(text)) return address;
  const ip = ipaddr.IPv6.parse(text);
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address().toString();
  return `${ip.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}
