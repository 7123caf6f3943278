import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import ipaddr from 'ipaddr.js';
import {
  compileIpAllowlist,
  ipv4Number,
  MAX_ALLOWED_IPS,
  normalizeIpAllowlist,
} from '../../src/domain/ip-allowlist.js';

describe('normalizeIpAllowlist', () => {
  it('takes addresses and ranges, IPv4 and IPv6, in canonical CIDR form without duplicates', () => {
    expect(
      normalizeIpAllowlist([
        '203.0.113.0/24',
        ' 198.51.100.7 ',
        '2001:DB8:0:0::/32',
        '2001:db8::/32',
        '::ffff:192.0.2.1',
        '::ffff:192.0.2.0/120',
        '2001:db8::1',
      ]),
    ).toEqual({
      ok: true,
      ranges: [
        '203.0.113.0/24',
        '198.51.100.7/32',
        '2001:db8::/32',
        '192.0.2.1/32',
        '192.0.2.0/24',
        '2001:db8::1/128',
      ],
    });
    expect(normalizeIpAllowlist([])).toEqual({ ok: true, ranges: [] });
  });

  it('refuses what is not an address or range, with its index, and host bits with the network meant', () => {
    for (const bad of [
      'shop.example.com',
      '203.0.113.0/33',
      '2001:db8::/129',
      '1.2.3',
      '',
      '*',
      '10.0.0.0/8/8',
    ]) {
      const d = normalizeIpAllowlist(['10.0.0.0/8', bad]);
      expect(d, bad).toMatchObject({ ok: false, code: 'validation_failed', index: 1 });
    }
    expect(normalizeIpAllowlist(['203.0.113.7/24'])).toMatchObject({
      ok: false,
      message: expect.stringContaining('did you mean 203.0.113.0/24?'),
    });
    expect(
      normalizeIpAllowlist(Array.from({ length: MAX_ALLOWED_IPS + 1 }, (_, i) => `10.0.${i}.0/24`)),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('compileIpAllowlist', () => {
  const allowed = compileIpAllowlist(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32']);

  it('matches IPv4, IPv6 and IPv4-mapped IPv6 client addresses against the ranges', () => {
    expect(allowed('203.0.113.1')).toBe(true);
    expect(allowed('203.0.113.255')).toBe(true);
    expect(allowed('203.0.114.1')).toBe(false);
    expect(allowed('::ffff:203.0.113.9')).toBe(true); // a dual-stack socket's way of writing an IPv4 client
    expect(allowed('::ffff:cb00:7109')).toBe(true); // the same, in hex
    expect(allowed('::ffff:203.0.114.9')).toBe(false);
    expect(allowed('2001:db8:1::5')).toBe(true);
    expect(allowed('2001:db9::5')).toBe(false);
    expect(allowed('fe80::1%eth0')).toBe(false);
    expect(allowed('203.0.113.9%zz')).toBe(false); // only IPv6 has a zone
    expect(allowed('198.51.100.7')).toBe(true);
    expect(allowed('198.51.100.8')).toBe(false);
  });

  it('finds no match for what is not an address', () => {
    for (const bad of ['', 'unknown', '203.0.113', '203.0.113.1.1', '203.0.113.1/32', ' 203.0.113.1'])
      expect(allowed(bad), bad).toBe(false);
  });

  it('agrees with a plain prefix comparison on random IPv4 addresses and ranges', () => {
    const toInt = (a: number[]) => ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
    const octets = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), (net, client, bits) => {
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        const network = (toInt(net) & mask) >>> 0;
        const text = [24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.');
        const check = compileIpAllowlist([`${text}/${bits}`]);
        const inside = (toInt(client) & mask) >>> 0 === network;
        expect(check(client.join('.'))).toBe(inside);
        expect(check(`::ffff:${client.join('.')}`)).toBe(inside);
      }),
    );
  });
});

describe('ipv4Number (the hot path for IPv4 clients)', () => {
  it('agrees with ipaddr.js on what is a dotted IPv4 address and on its value', () => {
    const part = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom('00', '01', '007', '', 'a', '-1', '1e2', ' 1', '0x1'),
    );
    const text = fc.oneof(
      fc.array(part, { minLength: 1, maxLength: 5 }).map((p) => p.join('.')),
      fc.array(part, { minLength: 4, maxLength: 4 }).map((p) => `::ffff:${p.join('.')}`),
      fc.array(part, { minLength: 4, maxLength: 4 }).map((p) => `::FFFF:${p.join('.')}`),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (t) => {
        const plain = t.toLowerCase().startsWith('::ffff:') ? t.slice(7) : t;
        const valid = ipaddr.IPv4.isValidFourPartDecimal(plain) && !/^::ffff:/i.test(plain);
        const expected = valid
          ? ipaddr.IPv4.parse(plain)
              .toByteArray()
              .reduce((a, b) => a * 256 + b, 0)
          : -1;
        expect(ipv4Number(t), t).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IPv4-compatible ::a.b.c.d is not IPv4-mapped (ipaddr.js 2.5 reads it as mapped)', () => {
  it('is refused in a list and matches no IPv4 range as a client address', () => {
    for (const bad of ['::0.0.0.0/96', '::203.0.113.0/120', '::203.0.113.9', '0:0:0:0:0:0:203.0.113.9'])
      expect(normalizeIpAllowlist([bad]), bad).toMatchObject({ ok: false, index: 0 });
    const allowed = compileIpAllowlist(['203.0.113.0/24', '0.0.0.0/0']);
    expect(allowed('::203.0.113.9')).toBe(false);
    expect(allowed('::ffff:203.0.113.9')).toBe(true);
    expect(allowed('::ffff:cb00:7109')).toBe(true);
  });
});
