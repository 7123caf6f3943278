import { afterAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token-format.js';
import { startInstance, type TestInstance } from '../helpers/harness.js';

/**
 * Issue #11 finding 4: the client address is the right-most address not from a trusted proxy
 * (LATCHKEY_TRUST_PROXY: addresses/CIDRs/keywords or a hop count), never what a client writes further
 * left. Observed where it matters: the invalid-token limit (limit 1: the second failure limits the address
 * the request is attributed to). The real-nginx version is test/integration/proxy-client-address.test.ts.
 */
const started: TestInstance[] = [];
afterAll(async () => {
  for (const lk of started) await lk.close();
});

async function attributedTo(
  trust: string,
  remoteAddress: string,
  xff: string | undefined,
): Promise<string[]> {
  const lk = await startInstance({ LATCHKEY_TRUST_PROXY: trust, LATCHKEY_VERIFY_FAILURE_LIMIT: '1' });
  started.push(lk);
  for (let i = 0; i < 2; i++) {
    const res = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      remoteAddress,
      headers: xff ? { 'x-forwarded-for': xff } : {},
      payload: { token: generateToken('private') },
    });
    expect(res.statusCode).toBe(200);
  }
  const candidates = [
    remoteAddress,
    ...(xff ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  return candidates.filter((a) => lk.failureLimiter.isLimited(a));
}

describe('whose address a request is', () => {
  it('from a trusted proxy address: the address that proxy saw (right-most), not what the client wrote', async () => {
    expect(await attributedTo('10.0.0.1', '10.0.0.1', '203.0.113.5, 198.51.100.9')).toEqual(['198.51.100.9']);
  });

  it('through a chain of trusted proxies: the first untrusted address from the right', async () => {
    expect(
      await attributedTo('10.0.0.1,10.0.0.2', '10.0.0.1', '203.0.113.5, 198.51.100.9, 10.0.0.2'),
    ).toEqual(['198.51.100.9']);
  });

  it('from an untrusted peer: the peer itself, whatever X-Forwarded-For says', async () => {
    expect(await attributedTo('10.0.0.1', '192.0.2.44', '203.0.113.5')).toEqual(['192.0.2.44']);
  });

  it('with a CIDR or a keyword (`private`)', async () => {
    expect(await attributedTo('10.0.0.0/8', '10.9.9.9', '203.0.113.5, 198.51.100.10')).toEqual([
      '198.51.100.10',
    ]);
    expect(await attributedTo('private', '172.16.5.5', '203.0.113.5, 198.51.100.11')).toEqual([
      '198.51.100.11',
    ]);
  });

  it('with a hop count: that many addresses from the right are proxies', async () => {
    expect(await attributedTo('1', '192.0.2.50', '203.0.113.5, 198.51.100.12')).toEqual(['198.51.100.12']);
    expect(await attributedTo('2', '192.0.2.50', '203.0.113.5, 198.51.100.13')).toEqual(['203.0.113.5']);
  });

  it('by default (trust nobody): the peer', async () => {
    const lk = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '1' });
    started.push(lk);
    for (let i = 0; i < 2; i++)
      await lk.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        remoteAddress: '192.0.2.60',
        headers: { 'x-forwarded-for': '203.0.113.60' },
        payload: { token: generateToken('private') },
      });
    expect(lk.failureLimiter.isLimited('192.0.2.60')).toBe(true);
    expect(lk.failureLimiter.isLimited('203.0.113.60')).toBe(false);
  });
});
