import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Finding a token (issue 17 item 5): by part of its name or of the hint the console shows, and — for a
 * leaked value — by the whole value, POSTed and charged like a failed verification.
 */
let lk: TestInstance;
let org: Org;
let other: Org;
let widget: { token: string; item: { id: string; hint: string } };
let elsewhere: { token: string; item: { id: string } };
beforeAll(async () => {
  lk = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '5' });
  org = await createOrg(lk);
  other = await createOrg(lk);
  const sa = await createServiceAccount(lk, org, 'storefront');
  widget = await createToken(lk, org, {
    name: 'widget',
    type: 'public',
    serviceAccountId: sa.id,
    domains: ['https://shop.example.com'],
  });
  await createToken(lk, org, { name: 'backend', serviceAccountId: sa.id });
  elsewhere = await createToken(lk, other, {
    name: 'theirs',
    serviceAccountId: (await createServiceAccount(lk, other, 'theirs')).id,
  });
});
afterAll(() => lk.close());

const list = async (search: string) =>
  (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens?search=${encodeURIComponent(search)}`))
    .json()
    .items.map((t: { name: string }) => t.name);
const find = (o: Org, value: string) =>
  call(lk, o.admin, 'POST', `/api/v1/orgs/${o.slug}/tokens/find`, { value });

describe('finding a token', () => {
  it('the list search matches the hint the console shows as well as the name', async () => {
    const [prefix, suffix] = widget.item.hint.split('…') as [string, string];
    expect(prefix).toMatch(/^lk_pub_.{4}$/);
    expect(await list(prefix)).toEqual(['widget']);
    expect(await list(suffix)).toContain('widget');
    expect(await list(widget.item.hint)).toEqual(['widget']);
    expect(await list('backe')).toEqual(['backend']);
  });

  it("a pasted value finds its token in this org, and nothing in another org's", async () => {
    const res = await find(org, ` ${widget.token} `);
    expect(res.statusCode).toBe(200);
    expect(res.json().item).toMatchObject({ id: widget.item.id, name: 'widget' });
    // Another org's value is "not found" here, exactly like an unknown one.
    expect((await find(org, elsewhere.token)).json()).toEqual({ item: null });
    expect((await find(org, 'lk_prv_not-a-real-value-at-all-000000000')).json()).toEqual({ item: null });
    // A value a rotation replaced is still this token's.
    const rotated = await call(
      lk,
      org.admin,
      'POST',
      `/api/v1/orgs/${org.slug}/tokens/${widget.item.id}/rotate`,
      {
        retire: 'now',
      },
    );
    expect(rotated.statusCode, rotated.body).toBe(201);
    expect((await find(org, widget.token)).json().item).toMatchObject({ id: widget.item.id });
    expect((await find(org, rotated.json().token)).json().item).toMatchObject({ id: widget.item.id });
    // Bad input: a clear 4xx.
    expect(errorCode(await find(org, ''))).toBe('validation_failed');
    expect(errorCode(await find(org, '   '))).toBe('validation_failed');
    expect(errorCode(await find(org, 'x'.repeat(513)))).toBe('validation_failed');
  });

  it('each search by value counts against the address’s verification budget, shared with /verify', async () => {
    const fresh = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '3' });
    try {
      const o = await createOrg(fresh);
      const sa = await createServiceAccount(fresh, o, 'svc');
      const t = await createToken(fresh, o, { serviceAccountId: sa.id });
      // A blank value is refused before anything is charged.
      for (let i = 0; i < 5; i++)
        expect(
          errorCode(await call(fresh, o.admin, 'POST', `/api/v1/orgs/${o.slug}/tokens/find`, { value: ' ' })),
        ).toBe('validation_failed');
      const codes: number[] = [];
      for (let i = 0; i < 4; i++)
        codes.push(
          (await call(fresh, o.admin, 'POST', `/api/v1/orgs/${o.slug}/tokens/find`, { value: t.token }))
            .statusCode,
        );
      expect(codes).toEqual([200, 200, 200, 429]);
      const refused = await call(fresh, o.admin, 'POST', `/api/v1/orgs/${o.slug}/tokens/find`, {
        value: t.token,
      });
      expect(errorCode(refused)).toBe('rate_limited');
      expect(refused.body).not.toContain(t.token);
      // The same budget: this address's verifications are limited now too.
      const guess = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        payload: { token: 'lk_prv_guess' },
      });
      expect(guess.statusCode).toBe(429);
      expect(errorCode(guess)).toBe('rate_limited');
    } finally {
      await fresh.close();
    }
  });
});
