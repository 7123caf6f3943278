import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import { ConflictError } from '../../src/store/conflict.js';
import type { Store } from '../../src/store/store.js';
import type { TokenRecord } from '../../src/store/queries/tokens.js';
import {
  call,
  createOrg,
  errorCode,
  login,
  PASSWORD,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
beforeAll(async () => {
  lk = await startInstance();
});
afterAll(() => lk.close());

const user = (email: string) => {
  const at = new Date().toISOString();
  return { id: newId('user'), email, name: 'n', passwordHash: 'x', createdAt: at, updatedAt: at };
};

describe('the store maps unique violations to one ConflictError, on either dialect', () => {
  it('a duplicate insert throws ConflictError, carrying the driver error as its cause', async () => {
    const email = `dup-${newId('user')}@conflict.test`.toLowerCase();
    await lk.store.users.insert(user(email));
    const error = await lk.store.users.insert(user(email)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).cause, String(error)).toMatchObject({
      code: expect.stringMatching(/^(SQLITE_CONSTRAINT_UNIQUE|23505)$/),
    });
  });

  it('inside a transaction too, and the transaction rolls back', async () => {
    const email = `tx-${newId('user')}@conflict.test`.toLowerCase();
    await expect(
      lk.store.transaction(async (tx) => {
        await tx.users.insert(user(email));
        await tx.users.insert(user(email));
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await lk.store.users.findByEmail(email)).toBeUndefined();
  });

  it('other database errors pass through unchanged (a foreign key is not a conflict)', async () => {
    const at = new Date().toISOString();
    const error = await lk.store.members
      .insert({
        orgId: newId('org'),
        userId: newId('user'),
        roleId: newId('role'),
        createdAt: at,
        updatedAt: at,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeDefined();
    expect(error).not.toBeInstanceOf(ConflictError);
  });
});

describe('services say what a conflict means', () => {
  it('users.create: email_taken (409) for an e-mail that exists, in any case', async () => {
    const email = `taken-${newId('user')}@conflict.test`.toLowerCase();
    await lk.services.users.create({ email, name: 'first', password: PASSWORD });
    const error = await lk.services.users
      .create({ email: email.toUpperCase(), name: 'second', password: PASSWORD })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('email_taken');
    expect((error as AppError).status).toBe(409);
    expect((await lk.store.users.findByEmail(email))?.name).toBe('first');
  });

  it('token import: value_taken (409) when a value is taken while it runs; nothing is imported', async () => {
    const org = await createOrg(lk);
    const owner = await login(lk, org.ownerEmail);
    const value = `raced-legacy-value-${newId('token')}`;
    // Another writer takes the row's hash between the import's checks and its insert (same transaction,
    // so it rolls back with the import).
    const store = lk.store as { transaction: Store['transaction'] };
    const original = store.transaction.bind(lk.store);
    store.transaction = (fn) =>
      original((tx) =>
        fn({
          ...tx,
          tokens: {
            ...tx.tokens,
            async insertMany(rows: readonly TokenRecord[]) {
              const first = rows[0]!;
              await tx.tokens.insert({ ...first, id: newId('token'), name: 'the other import' });
              return tx.tokens.insertMany(rows);
            },
          },
        }),
      );
    try {
      const res = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/tokens/import`, {
        tokens: [{ ownerEmail: org.ownerEmail, name: 'legacy', type: 'private', value }],
      });
      expect(res.statusCode, res.body).toBe(409);
      expect(errorCode(res)).toBe('value_taken');
    } finally {
      store.transaction = original;
    }
    const list = await call(lk, owner, 'GET', `/api/v1/orgs/${org.slug}/tokens?status=all&limit=200`);
    expect(
      (list.json().items as { imported: boolean }[]).filter((t) => t.imported),
      list.body,
    ).toEqual([]);
  });
});
