import { randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/domain/address-key.js';

describe('addressKey: what a per-address limit counts an address as', () => {
  it('an IPv4 address is itself, however a dual-stack socket writes it', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('an IPv4 client a translator or tunnel writes as IPv6 is that IPv4 client, not one /64 for them all', () => {
    // NAT64/SIIT (RFC 6052): the well-known prefix, and the local-use one at /96.
    expect(addressKey('64:ff9b::203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('64:ff9b::cb00:7108')).toBe('203.0.113.8');
    expect(addressKey('64:ff9b:1::cb00:7109')).toBe('203.0.113.9');
    // Teredo (RFC 4380): the client's address inverted in the last 32 bits (here 192.0.2.45).
    expect(addressKey('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('192.0.2.45');
  });

  it('an IPv6 address is its /64, in every spelling', () => {
    const key = '2001:db8:1:2::/64';
    for (const spelling of [
      '2001:db8:1:2::1',
      '2001:DB8:1:2:ffff:ffff:ffff:ffff',
      '2001:0db8:0001:0002:0000:0000:0000:0009',
      '2001:db8:1:2:a:b:c:d',
      '2001:db8:1:2::1%eth0',
    ])
      expect(addressKey(spelling), spelling).toBe(key);
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('any of the 2^64 addresses of a /64 is the same key; the next /64 is another', () => {
    for (let i = 0; i < 200; i++) {
      const parts = [...randomBytes(16)];
      const address = ipaddr.fromByteArray(parts).toString();
      const prefix = ipaddr.fromByteArray([...parts.slice(0, 8), ...Array(8).fill(0)]).toString();
      const key = addressKey(address);
      expect(ipaddr.parseCIDR(key).toString(), address).toBe(`${prefix}/64`);
      if (!ipaddr.IPv6.parse(address).isIPv4MappedAddress()) {
        const neighbour = [...parts];
        neighbour[7] = (neighbour[7]! + 1) % 256;
        expect(addressKey(ipaddr.fromByteArray(neighbour).toString())).not.toBe(key);
      }
    }
  });

  it('text that is not an address is its own key, however long', () => {
    for (const text of [
      '',
      'unknown',
      'not:an:address',
      '2001:db8::zz',
      '1.2.3',
      `2001:db8::1${' '.repeat(60)}`,
    ])
      expect(addressKey(text)).toBe(text);
    const long = `2001:db8:${'0:'.repeat(40)}1`;
    expect(addressKey(long)).toBe(long);
  });
});
