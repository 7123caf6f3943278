import type { AuditAction } from '../../src/domain/audit-actions.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_HASH_ONLY_HINT } from '../../src/domain/token-format.js';
import { openDatabase } from '../../src/store/dialect.js';
import { migrateToLatest, migratorFor } from '../../src/store/migrate.js';
import { createTestDatabase } from '../helpers/database.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue 11, finding 15: a display hint never reveals a meaningful share of a secret. Legacy values
 * show their last 2 characters and their length; values under 16 characters are not imported; and a
 * migration rewrites the hints stored before (tokens table and audit entries, on both stores).
 */

describe('hints of imported legacy tokens (through the API)', () => {
  let lk: TestInstance;
  let org: Org;
  beforeAll(async () => {
    lk = await startInstance();
    org = await createOrg(lk);
  });
  afterAll(() => lk.close());
  const url = (rest = '') => `/api/v1/orgs/${org.slug}${rest}`;

  it('refuses legacy values shorter than 16 characters with value_too_short, in the dry run and for real', async () => {
    const owner = await login(lk, org.ownerEmail);
    for (const value of ['Ops-2019', 'fifteen-chars-x']) {
      for (const dryRun of [true, false]) {
        const res = await call(lk, owner, 'POST', url('/tokens/import'), {
          dryRun,
          tokens: [{ ownerEmail: org.ownerEmail, name: 'short', type: 'private', value }],
        });
        const rows = dryRun ? res.json().rows : res.json().error.details.rows;
        expect(rows[0], res.body).toMatchObject({ ok: false, code: 'value_too_short' });
        if (!dryRun) expect(errorCode(res)).toBe('invalid_import');
      }
    }
  });

  it('shows only the last 2 characters and the length, in the list, the token and the audit log', async () => {
    const owner = await login(lk, org.ownerEmail);
    const value = 'Ops-2019-admin-key-XY';
    const hashed = 'f'.repeat(64);
    const res = await call(lk, owner, 'POST', url('/tokens/import'), {
      tokens: [
        { ownerEmail: org.ownerEmail, name: 'legacy by value', type: 'private', value },
        { ownerEmail: org.ownerEmail, name: 'legacy by hash', type: 'private', sha256: hashed },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const [byValue, byHash] = res.json().rows.map((r: { tokenId: string }) => r.tokenId);
    const token = (await call(lk, owner, 'GET', url(`/tokens/${byValue}`))).json();
    expect(token.hint).toBe(`legacy…XY (${value.length} chars)`);
    expect((await call(lk, owner, 'GET', url(`/tokens/${byHash}`))).json().hint).toBe(LEGACY_HASH_ONLY_HINT);
    const list = await call(lk, owner, 'GET', url('/tokens?limit=200'));
    const audit = await call(lk, owner, 'GET', url('/audit-log?limit=200'));
    for (const body of [list.body, audit.body]) {
      expect(body).not.toContain('Ops-');
      expect(body).not.toContain('-key');
      expect(body).not.toContain(hashed.slice(0, 8));
    }
  });

  it("Latchkey's own tokens keep their hint", async () => {
    const sa = await createServiceAccount(lk, org, 'hinted');
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect(item.hint).toBe(`lk_prv_${token.slice(7, 11)}…${token.slice(-4)}`);
  });
});

describe('migration 0003 rewrites the legacy hints stored before (tokens and audit entries)', () => {
  it('on this store', async () => {
    const database = await createTestDatabase('file');
    const handle = openDatabase(database.url);
    try {
      const migrator = await migratorFor(handle);
      const before = await migrator.migrateTo('0002-token-usage');
      expect(before.error).toBeUndefined();

      const at = '2029-01-01T00:00:00.000Z';
      const db = handle.db;
      await db
        .insertInto('orgs')
        .values({
          id: 'org_00000000000000000001',
          slug: 'hints',
          name: 'Hints',
          maxTokenLifetimeDays: null,
          createdAt: at,
          updatedAt: at,
        })
        .execute();
      await db
        .insertInto('users')
        .values({
          id: 'usr_00000000000000000001',
          email: 'o@hints.test',
          name: 'o',
          passwordHash: 'x',
          createdAt: at,
          updatedAt: at,
        })
        .execute();
      const token = (
        id: string,
        hint: string,
        extra: { publicValue?: string; importedAt?: string | null; type?: 'public' | 'private' } = {},
      ) => ({
        id,
        orgId: 'org_00000000000000000001',
        name: id,
        type: extra.type ?? 'private',
        hash: id.padEnd(64, '0'),
        hint,
        publicValue: extra.publicValue ?? null,
        ownerServiceAccountId: null,
        ownerUserId: 'usr_00000000000000000001',
        permissions: null,
        domains: extra.type === 'public' ? '["https://a.example.com"]' : '[]',
        expiresAt: null,
        revokedAt: null,
        importedAt: extra.importedAt === undefined ? at : extra.importedAt,
        createdByType: 'user',
        createdById: null,
        createdAt: at,
        updatedAt: at,
        lastUsedAt: null,
        lastUsedOrigin: null,
      });
      // The old hints: first 4 + last 4 characters — for "Ops-2019" the whole secret.
      await db
        .insertInto('tokens')
        .values([
          token('tok_00000000000000000001', 'Ops-…2019'),
          token('tok_00000000000000000002', 'pub-…3456', {
            type: 'public',
            publicValue: 'pub-legacy-value-123456',
          }),
          token('tok_00000000000000000003', 'sha256:abcdef12'),
          token('tok_00000000000000000004', 'lk_prv_AbCd…wXyZ'),
          token('tok_00000000000000000005', 'lk_prv_EfGh…wXyZ', { importedAt: null }),
        ])
        .execute();
      const audit = (
        seq: number,
        targetId: string,
        action: AuditAction,
        beforeJson: unknown,
        afterJson: unknown,
      ) => ({
        id: `aud_0000000000000000000${seq}`,
        orgId: 'org_00000000000000000001',
        at,
        actorType: 'user',
        actorId: null,
        actorLabel: 'o@hints.test',
        action,
        targetType: 'token',
        targetId,
        before: beforeJson === null ? null : JSON.stringify(beforeJson),
        after: afterJson === null ? null : JSON.stringify(afterJson),
        ip: null,
      });
      await db
        .insertInto('auditLog')
        .values([
          audit(1, 'tok_00000000000000000001', 'token.import', null, {
            id: 'tok_00000000000000000001',
            name: 'ops',
            hint: 'Ops-…2019',
          }),
          audit(
            2,
            'tok_00000000000000000001',
            'token.update',
            { id: 'tok_00000000000000000001', hint: 'Ops-…2019', name: 'ops' },
            { id: 'tok_00000000000000000001', hint: 'Ops-…2019', name: 'ops 2' },
          ),
          audit(3, 'tok_00000000000000000003', 'token.import', null, {
            id: 'tok_00000000000000000003',
            hint: 'sha256:abcdef12',
          }),
          audit(4, 'tok_00000000000000000005', 'token.create', null, {
            id: 'tok_00000000000000000005',
            hint: 'lk_prv_EfGh…wXyZ',
          }),
        ])
        .execute();

      await migrateToLatest(handle);
      // Twice: it runs forward safely (the second run finds nothing to do).
      await migrateToLatest(handle);

      const hints = Object.fromEntries(
        (await db.selectFrom('tokens').select(['id', 'hint']).orderBy('id').execute()).map((t) => [
          t.id,
          t.hint,
        ]),
      );
      expect(hints).toEqual({
        tok_00000000000000000001: 'legacy…19',
        tok_00000000000000000002: 'legacy…56 (23 chars)',
        tok_00000000000000000003: LEGACY_HASH_ONLY_HINT,
        tok_00000000000000000004: 'lk_prv_AbCd…wXyZ',
        tok_00000000000000000005: 'lk_prv_EfGh…wXyZ',
      });
      const entries = await db
        .selectFrom('auditLog')
        .select(['id', 'before', 'after'])
        .orderBy('seq')
        .execute();
      const text = JSON.stringify(entries);
      expect(text).not.toContain('Ops-');
      expect(text).not.toContain('sha256:abcdef12');
      expect(JSON.parse(entries[1]!.before!)).toEqual({
        id: 'tok_00000000000000000001',
        hint: 'legacy…19',
        name: 'ops',
      });
      expect(JSON.parse(entries[1]!.after!)).toEqual({
        id: 'tok_00000000000000000001',
        hint: 'legacy…19',
        name: 'ops 2',
      });
      expect(JSON.parse(entries[3]!.after!)).toEqual({
        id: 'tok_00000000000000000005',
        hint: 'lk_prv_EfGh…wXyZ',
      });
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});
