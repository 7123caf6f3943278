import ipaddr from 'ipaddr.js';

/**
 * What a per-address limit counts a client address as. An IPv4 address is one client. An IPv6 address is
 * its /64: one subscriber, one LAN or one cloud instance is routinely given a whole /64 and may send from
 * any of its 2^64 addresses, so counting each address alone would let one client guess without limit.
 * An IPv4 address written as IPv4-mapped IPv6 (`::ffff:203.0.113.7`, what a dual-stack socket reports),
 * or by a NAT64/SIIT translator or a Teredo tunnel, is that IPv4 address. Text that is not an IP address
 * (a proxy header a trusted proxy passed on as it came) is its own key.
 *
 * The cost: the devices of one /64 share a budget, as those behind one IPv4 NAT always have; a client
 * given a /56 or a /48 still has 256 or 65,536 budgets (a network's own limits are the place for that).
 *
 * The failure limit of /verify and forward-auth, the probe budget of imports and searches, the sign-in
 * limits and the per-route request limits all count by this key (docs/security.md, "Abuse limits").
 */
export function addressKey(address: string): string {
  if (address.indexOf(':') === -1) return address; // IPv4 (or not an address): the hot case, no parsing
  if (address.length > MAX_ADDRESS_TEXT) return address; // not an address: not parsed, not remembered
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
/** The longest IPv6 text (45 characters, `ffff:…:255.255.255.255`) with room for a zone. */
const MAX_ADDRESS_TEXT = 64;
const ipv6Keys = new Map<string, string>();

function ipv6Key(address: string): string {
  const zone = address.indexOf('%'); // fe80::1%eth0: the zone names an interface, not another client
  const text = zone === -1 ? address : address.slice(0, zone);
  if (!ipaddr.IPv6.isValid(text)) return address;
  const ip = ipaddr.IPv6.parse(text);
  const p = ip.parts;
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address().toString();
  // IPv4 clients that a translator or tunnel writes as IPv6 are their IPv4 address, or every IPv4 client
  // behind that translator would share one /64: NAT64/SIIT (64:ff9b::/96 and the local-use 64:ff9b:1::/48
  // at /96) carry it in the last 32 bits, Teredo (2001::/32) inverted in the last 32 bits.
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2]! <= 1 && p[3] === 0 && p[4] === 0 && p[5] === 0)
    return ipv4Of(p[6]!, p[7]!);
  if (p[0] === 0x2001 && p[1] === 0) return ipv4Of(p[6]! ^ 0xffff, p[7]! ^ 0xffff);
  return `${ip.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

const ipv4Of = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
