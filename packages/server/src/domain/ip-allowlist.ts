import ipaddr from 'ipaddr.js';

/**
 * A token's IP allowlist (issue 15): the client addresses it may be used from, as CIDR ranges. Parsed with
 * ipaddr.js; IPv4, IPv6 and IPv4-mapped IPv6 (`::ffff:203.0.113.7` is 203.0.113.7, both in a list and as a
 * client address), so a dual-stack proxy's way of writing an IPv4 client cannot slip past an IPv4 range.
 */

/** Entries one token may list: a handful of offices and NAT gateways, not a geography. */
export const MAX_ALLOWED_IPS = 100;

export type IpAllowlistDecision =
  { ok: true; ranges: string[] } | { ok: false; code: 'validation_failed'; message: string; index: number };

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Only the forms people write: dotted four-part decimal IPv4 or IPv6. ipaddr.js alone would also take
 * `1.2.3` (1.2.0.3), hex and octal parts, which nobody means in an allowlist or a proxy header.
 */
function isAddressText(text: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return true;
  // An IPv6 text with a dotted tail is taken only as `::ffff:a.b.c.d`: ipaddr.js 2.5 also reads the
  // deprecated IPv4-compatible `::a.b.c.d` as mapped, which would make `::0.0.0.0/96` every IPv4 client.
  if (text.includes('.') && !/^::ffff:[0-9.]+$/i.test(text)) return false;
  return ipaddr.IPv6.isValid(text);
}

/** One entry, an address or address/prefix, as a range in its canonical form; null if it is neither. */
function parseEntry(entry: string): Range | null {
  const text = entry.trim();
  if (text.includes('%')) return null; // a zone names an interface of one machine, not a range
  try {
    if (text.includes('/')) {
      const slash = text.indexOf('/');
      if (!isAddressText(text.slice(0, slash)) || !/^\d{1,3}$/.test(text.slice(slash + 1))) return null;
      const [addr, bits] = ipaddr.parseCIDR(text);
      // A mapped IPv6 range inside ::ffff:0:0/96 is the IPv4 range it maps.
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
        return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
      return [addr, bits];
    }
    if (!isAddressText(text)) return null;
    const addr = ipaddr.process(text);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

const show = ([addr, bits]: Range) => `${addr.toString()}/${bits}`;

/**
 * Checks and normalises a list as an admin typed it: each entry an address or a CIDR range, host bits
 * zero (`203.0.113.7/24` is refused with the network it probably means), duplicates dropped, canonical
 * text (`2001:db8::/32`, `203.0.113.7/32`). An empty list means no restriction.
 */
export function normalizeIpAllowlist(entries: readonly string[]): IpAllowlistDecision {
  if (entries.length > MAX_ALLOWED_IPS) {
    return {
      ok: false,
      code: 'validation_failed',
      message: `At most ${MAX_ALLOWED_IPS} IP ranges per token.`,
      index: MAX_ALLOWED_IPS,
    };
  }
  const ranges: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const range = parseEntry(entry);
    if (!range) {
      return {
        ok: false,
        code: 'validation_failed',
        message: `"${entry}" is not an IP address or CIDR range (e.g. 203.0.113.0/24 or 2001:db8::/32).`,
        index,
      };
    }
    const [addr, bits] = range;
    const network =
      addr.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
    if (network.toString() !== addr.toString()) {
      return {
        ok: false,
        code: 'validation_failed',
        message: `"${entry}" has bits set after its /${bits} prefix: did you mean ${network.toString()}/${bits}?`,
        index,
      };
    }
    const text = show(range);
    if (!ranges.includes(text)) ranges.push(text);
  }
  return { ok: true, ranges };
}

/** A client address as the check sees it: IPv4-mapped IPv6 as IPv4, a zone (`%eth0`) dropped; null if none. */
export function parseClientAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // A zone (`fe80::1%eth0`) names an interface; only an IPv6 address has one.
  const zone = address.indexOf('%');
  const text = zone !== -1 && address.slice(0, zone).includes(':') ? address.slice(0, zone) : address;
  if (!isAddressText(text)) return null;
  try {
    return ipaddr.process(text);
  } catch {
    return null;
  }
}

/**
 * A plain dotted IPv4 address (or one written as IPv4-mapped IPv6, `::ffff:a.b.c.d`) as an unsigned
 * 32-bit number; -1 for anything else. The verify hot path's common case without ipaddr.js's general
 * parser, which cost ~6 µs per request (bench/RESULTS.md, issue 15 row); the same rules as
 * isValidFourPartDecimal (four decimal parts, no leading zeros, each ≤ 255), property-tested against it.
 */
export function ipv4Number(address: string): number {
  let i = 0;
  if (address.length > 7 && address.charCodeAt(0) === 58 /* : */) {
    const head = address.slice(0, 7).toLowerCase();
    if (head !== '::ffff:') return -1;
    i = 7;
  }
  let value = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (address.charCodeAt(i) !== 46 /* . */) return -1;
      i++;
    }
    const start = i;
    let n = 0;
    while (i < address.length) {
      const c = address.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || n > 255 || (digits > 1 && address.charCodeAt(start) === 48)) return -1;
    value = value * 256 + n;
  }
  return i === address.length ? value : -1;
}

/**
 * An address as report-only counts it: one spelling per address (`::ffff:198.51.100.1` is 198.51.100.1,
 * IPv6 compressed and lower-case); '' for text that is no address (it names nothing an admin could add).
 */
export function canonicalAddress(address: string): string {
  return parseClientAddress(address)?.toString() ?? '';
}

/**
 * The check for one stored list, compiled once per cached token: is `address` inside one of its ranges?
 * An address that does not parse is outside every range.
 */
export function compileIpAllowlist(ranges: readonly string[]): (address: string) => boolean {
  const v4: [network: number, mask: number][] = [];
  const v6: [ipaddr.IPv6, number][] = [];
  for (const r of ranges) {
    const [addr, bits] = ipaddr.parseCIDR(r);
    if (addr.kind() === 'ipv4') {
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      v4.push([(ipv4Number(addr.toString()) & mask) >>> 0, mask]);
    } else v6.push([addr as ipaddr.IPv6, bits]);
  }
  const inV4 = (n: number) => {
    for (const [network, mask] of v4) if ((n & mask) >>> 0 === network) return true;
    return false;
  };
  return (address) => {
    const n = ipv4Number(address);
    if (n >= 0) return inV4(n);
    // IPv6, and IPv4-mapped IPv6 in hex (`::ffff:cb00:7109`): the library's parser.
    const client = parseClientAddress(address);
    if (client === null) return false;
    if (client.kind() === 'ipv4') return inV4(ipv4Number(client.toString()));
    return v6.some((range) => (client as ipaddr.IPv6).match(range));
  };
}
