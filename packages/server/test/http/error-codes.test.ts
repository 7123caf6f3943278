import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STATUS, IMPORT_ROW_CODES } from '../../src/domain/errors.js';
import { VERIFY_CODES } from '@latchkey/protocol';
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

const docsDir = fileURLToPath(new URL('../../../../docs/', import.meta.url));
const apiDoc = readFileSync(`${docsDir}api.md`, 'utf8');

/** The `| \`code\` | status? |` rows of the first table under `heading` in docs/api.md. */
function documentedCodes(heading: string): Map<string, string> {
  const start = apiDoc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/api.md has no "${heading}"`);
  const rows = new Map<string, string>();
  let inTable = false;
  for (const line of apiDoc.slice(start + heading.length + 2).split('\n')) {
    const m = /^\| `([a-z_]+)` \| ([^|]*)\|/.exec(line);
    if (m) {
      inTable = true;
      rows.set(m[1]!, m[2]!.trim());
    } else if (inTable && !line.startsWith('|')) break;
  }
  return rows;
}

/** The part of a JSON document at `keys`, failing loudly where one is missing. */
function at(json: unknown, ...keys: string[]): unknown {
  let here = json;
  for (const key of keys) {
    if (typeof here !== 'object' || here === null || !(key in here))
      throw new Error(`no ${keys.join('.')} in ${JSON.stringify(json)}`);
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

let lk: TestInstance;
let org: Org;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
});
afterAll(() => lk.close());

describe('the closed error set: registry, docs/api.md and the OpenAPI document agree', () => {
  it('docs/api.md lists every error code with its status, and no other', () => {
    const documented = documentedCodes('## Error codes');
    expect(Object.fromEntries([...documented].map(([code, status]) => [code, Number(status)]))).toEqual(
      ERROR_STATUS,
    );
  });

  it('docs/api.md lists every import row code, and no other', () => {
    expect([...documentedCodes('### Import row codes').keys()].sort()).toEqual([...IMPORT_ROW_CODES].sort());
  });

  it('docs/api.md lists every verification code with its status, and no other', () => {
    const documented = documentedCodes('### Verification codes');
    expect(Object.fromEntries([...documented].map(([code, status]) => [code, Number(status)]))).toEqual(
      VERIFY_CODES,
    );
  });

  it('there is no catch-all conflict code', () => {
    expect(ERROR_CODES).not.toContain('conflict');
  });

  it('the OpenAPI document gives error.code, the import row code and the verify code as enums of the registry', async () => {
    const res = await lk.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode, res.body).toBe(200);
    const doc = res.json() as {
      paths: Record<
        string,
        Record<string, { responses?: Record<string, { content?: Record<string, { schema: unknown }> }> }>
      >;
    };
    // Every error answer of every operation carries the envelope whose code is the registry's enum.
    let errorAnswers = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (Number(status) < 400 || !response.content) continue;
          const schema = response.content['application/json']!.schema;
          expect(
            at(schema, 'properties', 'error', 'properties', 'code'),
            `${method} ${path} ${status}`,
          ).toMatchObject({ type: 'string', enum: ERROR_CODES });
          errorAnswers++;
        }
      }
    }
    expect(errorAnswers).toBeGreaterThan(50);

    const verify = doc.paths['/api/v1/verify']!.post!.responses!['200']!.content!['application/json']!.schema;
    expect(at(verify, 'properties', 'code')).toMatchObject({
      type: 'string',
      enum: Object.keys(VERIFY_CODES),
    });

    const imported =
      doc.paths['/api/v1/orgs/{org}/tokens/import']!.post!.responses!['200']!.content!['application/json']!
        .schema;
    expect(at(imported, 'properties', 'rows', 'items', 'properties', 'code')).toMatchObject({
      type: 'string',
      enum: [...IMPORT_ROW_CODES],
    });
  });
});

describe('each 409 names its condition (the split of conflict): refused, nothing changed', () => {
  const tokens = (rest = '') => `/api/v1/orgs/${org.slug}/tokens${rest}`;
  const sas = (rest = '') => `/api/v1/orgs/${org.slug}/service-accounts${rest}`;

  it('service_account_disabled: no token is created for, or reassigned to, a disabled service account', async () => {
    const off = await createServiceAccount(lk, org, 'disabled-owner');
    const live = await createServiceAccount(lk, org, 'live-owner');
    const { item } = await createToken(lk, org, { serviceAccountId: live.id, name: 'stays put' });
    const disabled = await call(lk, org.admin, 'PATCH', sas(`/${off.id}`), { disabled: true });
    expect(disabled.statusCode, disabled.body).toBe(200);
    const before = (await call(lk, org.admin, 'GET', tokens('?status=all&limit=200'))).json().items
      .length as number;

    const created = await call(lk, org.admin, 'POST', tokens(), {
      name: 'refused',
      type: 'private',
      serviceAccountId: off.id,
    });
    expect(created.statusCode, created.body).toBe(409);
    expect(errorCode(created)).toBe('service_account_disabled');
    const moved = await call(lk, org.admin, 'POST', tokens(`/${item.id}/reassign`), {
      serviceAccountId: off.id,
    });
    expect(moved.statusCode, moved.body).toBe(409);
    expect(errorCode(moved)).toBe('service_account_disabled');

    expect((await call(lk, org.admin, 'GET', tokens('?status=all&limit=200'))).json().items.length).toBe(
      before,
    );
    const after = await call(lk, org.admin, 'GET', tokens(`/${item.id}`));
    expect(after.json().owner.id, after.body).toBe(live.id);
  });

  it('token_revoked: a revoked token is neither changed nor reassigned', async () => {
    const owner = await createServiceAccount(lk, org, 'revoked-owner');
    const target = await createServiceAccount(lk, org, 'revoked-target');
    const { item } = await createToken(lk, org, { serviceAccountId: owner.id, name: 'revoked one' });
    const revoked = await call(lk, org.admin, 'DELETE', tokens(`/${item.id}`));
    expect(revoked.statusCode, revoked.body).toBe(204);

    const patched = await call(lk, org.admin, 'PATCH', tokens(`/${item.id}`), {
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(patched.statusCode, patched.body).toBe(409);
    expect(errorCode(patched)).toBe('token_revoked');
    const moved = await call(lk, org.admin, 'POST', tokens(`/${item.id}/reassign`), {
      serviceAccountId: target.id,
    });
    expect(moved.statusCode, moved.body).toBe(409);
    expect(errorCode(moved)).toBe('token_revoked');

    const after = await call(lk, org.admin, 'GET', tokens(`/${item.id}`));
    expect(after.json(), after.body).toMatchObject({
      owner: { id: owner.id },
      expiresAt: null,
      status: 'revoked',
    });
  });
});
