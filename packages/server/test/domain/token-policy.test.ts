import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideTokenLifetime, type TokenChange } from '../../src/domain/token-policy.js';

const DAY = 86_400_000;
const now = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
const live = { expiresAt: at(5 * DAY), revokedAt: null };
const expired = { expiresAt: at(-1), revokedAt: null };
const never = { expiresAt: null, revokedAt: null };
const revoked = { expiresAt: null, revokedAt: at(-DAY) };

describe('token lifetime policy (issue 11, finding 7)', () => {
  it.each<[string, number | null, TokenChange, { expiresAt: string | null } | { code: string }]>([
    ['create, no max, none', null, { kind: 'create' }, { expiresAt: null }],
    ['create, max, none → the maximum', 30, { kind: 'create', expiresAt: null }, { expiresAt: at(30 * DAY) }],
    [
      'create, max, beyond → refused',
      30,
      { kind: 'create', expiresAt: at(31 * DAY) },
      { code: 'invalid_expiry' },
    ],
    ['create, past → refused', null, { kind: 'create', expiresAt: at(-1) }, { code: 'invalid_expiry' }],
    ['create, not a date → refused', null, { kind: 'create', expiresAt: 'soon' }, { code: 'invalid_expiry' }],
    ['import, max, none → the maximum', 30, { kind: 'import' }, { expiresAt: at(30 * DAY) }],
    [
      'import, max, beyond → capped',
      30,
      { kind: 'import', expiresAt: at(400 * DAY) },
      { expiresAt: at(30 * DAY) },
    ],
    ['import, max, within → kept', 30, { kind: 'import', expiresAt: at(DAY) }, { expiresAt: at(DAY) }],
    ['import, past → refused', 30, { kind: 'import', expiresAt: at(-1) }, { code: 'invalid_expiry' }],
    ['import, no max, none → never', null, { kind: 'import' }, { expiresAt: null }],
    [
      'update, expiry untouched → kept (even beyond a new max)',
      1,
      { kind: 'update', before: never },
      { expiresAt: null },
    ],
    [
      'update, clear, no max → cleared',
      null,
      { kind: 'update', before: live, expiresAt: null },
      { expiresAt: null },
    ],
    [
      'update, clear, max → refused',
      30,
      { kind: 'update', before: live, expiresAt: null },
      { code: 'invalid_expiry' },
    ],
    [
      'update, beyond max → refused',
      30,
      { kind: 'update', before: live, expiresAt: at(31 * DAY) },
      { code: 'invalid_expiry' },
    ],
    [
      'update, expired, clear → refused',
      null,
      { kind: 'update', before: expired, expiresAt: null },
      { code: 'token_expired' },
    ],
    [
      'update, expired, extend → refused',
      null,
      { kind: 'update', before: expired, expiresAt: at(DAY) },
      { code: 'token_expired' },
    ],
    [
      'update, expired, other fields → allowed',
      null,
      { kind: 'update', before: expired },
      { expiresAt: expired.expiresAt },
    ],
    [
      'update, revoked → refused',
      null,
      { kind: 'update', before: revoked, expiresAt: at(DAY) },
      { code: 'token_revoked' },
    ],
    ['reassign, never, max → capped', 10, { kind: 'reassign', before: never }, { expiresAt: at(10 * DAY) }],
    ['reassign, within max → kept', 10, { kind: 'reassign', before: live }, { expiresAt: live.expiresAt }],
    [
      'reassign, expired → stays expired',
      10,
      { kind: 'reassign', before: expired },
      { expiresAt: expired.expiresAt },
    ],
    ['reassign, revoked → refused', null, { kind: 'reassign', before: revoked }, { code: 'token_revoked' }],
    ['rotate, expired → refused', null, { kind: 'rotate', before: expired }, { code: 'token_expired' }],
    ['rotate, never, max → capped', 10, { kind: 'rotate', before: never }, { expiresAt: at(10 * DAY) }],
    [
      'rotate, clear, max → refused',
      10,
      { kind: 'rotate', before: live, expiresAt: null },
      { code: 'invalid_expiry' },
    ],
  ])('%s', (_name, max, change, expected) => {
    const d = decideTokenLifetime({ maxLifetimeDays: max }, change, now);
    if ('code' in expected) expect(d).toMatchObject({ ok: false, code: expected.code });
    else expect(d).toEqual({ ok: true, expiresAt: expected.expiresAt });
  });

  const expiry = fc.option(
    fc.integer({ min: -400, max: 400 }).map((d) => at(d * DAY + 1)),
    { nil: null },
  );
  const state = fc.record({ expiresAt: expiry, revokedAt: fc.constant(null) });
  const change: fc.Arbitrary<TokenChange> = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), expiresAt: fc.option(expiry, { nil: undefined }) }),
    fc.record({ kind: fc.constant('import' as const), expiresAt: fc.option(expiry, { nil: undefined }) }),
    fc.record({
      kind: fc.constant('update' as const),
      before: state,
      expiresAt: fc.option(expiry, { nil: undefined }),
    }),
    fc.record({ kind: fc.constant('reassign' as const), before: state }),
    fc.record({
      kind: fc.constant('rotate' as const),
      before: state,
      expiresAt: fc.option(expiry, { nil: undefined }),
    }),
  );

  it('no change ever revives an expired token, and every issue or re-issue ends within the maximum', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 365 }), { nil: null }), change, (max, c) => {
        const d = decideTokenLifetime({ maxLifetimeDays: max }, c, now);
        if (!d.ok) return;
        const before = 'before' in c ? c.before : null;
        const wasExpired = before?.expiresAt != null && Date.parse(before.expiresAt) <= now.getTime();
        // An expired token keeps its (past) expiry, whatever was asked.
        if (wasExpired) expect(d.expiresAt).toBe(before!.expiresAt);
        // What is issued or re-issued — and any expiry a caller sets — lies within the maximum from now.
        const setsExpiry = c.kind !== 'update' || c.expiresAt !== undefined;
        if (max !== null && setsExpiry && !wasExpired) {
          expect(d.expiresAt).not.toBeNull();
          expect(Date.parse(d.expiresAt!)).toBeLessThanOrEqual(now.getTime() + max * DAY);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
