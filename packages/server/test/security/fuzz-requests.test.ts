import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import {
  createOrg,
  errorCode,
  login,
  startInstance,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Hostile and random input against every route: bodies, query strings and path values drawn by fast-check.
 * Never a 5xx, never a crash, and the verify path never answers valid for a value nobody issued.
 */
let lk: TestInstance;
let org: Org;
let owner: Caller;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
  owner = await login(lk, org.ownerEmail);
});
afterAll(() => lk.close());

const json = fc.jsonValue({ maxDepth: 3 });
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    '',
    'null',
    '__proto__',
    '*',
    '../../etc/passwd',
    "' or 1=1 --",
    'lk_prv_' + 'A'.repeat(38),
    'x'.repeat(5000),
    '%00',
    '\u202e',
  ),
);
const bodyArb = fc.oneof(
  json,
  fc.dictionary(
    fc.constantFrom(
      'name',
      'type',
      'domains',
      'permissions',
      'serviceAccountId',
      'roleId',
      'email',
      'expiresAt',
      'tokens',
      'dryRun',
      'disabled',
      'maxTokenLifetimeDays',
      'description',
      '__proto__',
      'constructor',
    ),
    fc.oneof(json, hostileString),
  ),
);

describe('fuzzing every management route', () => {
  it('never answers 5xx to random bodies, query strings and path values', async () => {
    const routes = lk.app.routeTable.filter(
      (r) => String(r.url).startsWith('/api/v1/') && r.method !== 'HEAD',
    ) as (RouteOptions & { url: string; method: string })[];
    for (const r of routes) {
      const method = (Array.isArray(r.method) ? r.method[0] : r.method) as string;
      await fc.assert(
        fc.asyncProperty(bodyArb, hostileString, hostileString, async (body, query, pathValue) => {
          const path = r.url
            .replace(':org', org.slug)
            .replace(/:[A-Za-z]+/g, encodeURIComponent(pathValue) || 'x');
          const res = await lk.app.inject({
            method: method as 'POST',
            url: `${path}?q=${encodeURIComponent(query)}&limit=${encodeURIComponent(query)}&cursor=${encodeURIComponent(query)}`,
            headers: owner.headers,
            ...(method === 'GET' || method === 'DELETE' || method === 'OPTIONS'
              ? {}
              : {
                  payload: JSON.stringify(body),
                  headers: { ...owner.headers, 'content-type': 'application/json' },
                }),
          });
          expect(
            res.statusCode,
            `${method} ${r.url} → ${res.statusCode}: ${res.body.slice(0, 200)}`,
          ).toBeLessThan(500);
          if (res.statusCode >= 400 && r.url !== '/api/v1/forward-auth')
            expect(JSON.parse(res.body || '{}').error?.code ?? 'none').toMatch(/^[a-z_]+$/);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('the verify path never allows a value nobody issued, whatever the origin or permission', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString,
        fc.option(hostileString),
        fc.option(fc.string({ maxLength: 40 })),
        async (token, origin, permission) => {
          const res = await lk.app.inject({
            method: 'POST',
            url: '/api/v1/verify',
            payload: {
              token,
              ...(origin !== null ? { origin } : {}),
              ...(permission !== null ? { permission } : {}),
            },
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode === 200) expect(res.json().valid).toBe(false);
          const fa = await lk.app.inject({
            method: 'GET',
            url: `/api/v1/forward-auth?permission=${encodeURIComponent(permission ?? '')}`,
            headers: {
              'x-original-uri': `/x?bearer_token=${encodeURIComponent(token)}`,
              ...(origin ? { origin: origin.replace(/[^\x20-\x7e]/g, '') } : {}),
            },
          });
          expect([401, 403]).toContain(fa.statusCode);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * Finding 9, generated over the route table: every string a route takes — each body field (nested ones
 * and array items included), query-string field and path parameter — gets hostile values, one at a
 * time, in an otherwise valid request. A NUL or another control character, an impossible date-time and
 * a forged cursor are refused by the schema (400 validation_failed) on every management route; nothing
 * anywhere answers 5xx. A new route is covered the day it is added.
 */
describe('hostile strings in every string field of every route (finding 9)', () => {
  type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
  type Schema = {
    type?: string;
    properties?: Record<string, Schema>;
    items?: Schema;
    anyOf?: Schema[];
    const?: Json;
    enum?: Json[];
    format?: string;
    pattern?: string;
    minLength?: number;
    minimum?: number;
    default?: Json;
  };
  type Part = 'params' | 'querystring' | 'body';
  interface Leaf {
    part: Part;
    path: (string | number)[];
    schema: Schema;
  }

  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  /** Refused by the schema wherever they appear: control characters (single- and multi-line alike). */
  const CONTROL = ['\u0000', 'a\u0000b', 'lk_prv_\u0000', '\u0001', 'x\u001by'];
  /** Must never cause a 5xx; the schema or the service decides. */
  const OTHER = [
    '',
    '\n',
    '\u202eevil',
    "' or 1=1 --",
    '%00',
    '../../etc/passwd',
    'x'.repeat(5000),
    '\ud800',
    '2016-12-31T23:59:60Z',
  ];
  const BAD_DATES = [
    '2016-12-31T23:59:60Z',
    '0000-01-01T00:00:00Z',
    '2023-02-30T00:00:00Z',
    '0001-01-01T00:00:00+01:00',
    '10000-01-01T00:00:00Z',
  ];
  const BAD_CURSORS = [
    b64({ createdAt: 'not a date', id: 'tok_aaaaaaaaaaaaaaaaaaaa' }),
    b64({ createdAt: '2016-12-31T23:59:60Z', id: 'tok_aaaaaaaaaaaaaaaaaaaa' }),
    b64({ createdAt: '0000-01-01T00:00:00Z', id: 'tok_aaaaaaaaaaaaaaaaaaaa' }),
    b64({ createdAt: '2026-01-01T00:00:00Z', id: 'a\u0000' }),
    b64({ createdAt: ['2026-01-01T00:00:00Z'], id: 'tok_aaaaaaaaaaaaaaaaaaaa' }),
    b64({ seq: '1e400' }),
    b64({ seq: 'abc\u0000' }),
    b64({ seq: 9 }),
  ];
  /** Hot-path routes whose contract answers malformed values with a decision, not a 400 (SPEC §4). */
  const DECISION_ROUTES = new Set(['POST /api/v1/verify']);
  /**
   * Answers nothing, not even a validation error, before the signature over its body verifies (here, with
   * no keys configured, 404): its schema's refusals are tested signed, in test/http/secret-scanning.test.ts.
   */
  const SIGNED_ROUTES = new Set(['POST /api/v1/secret-scanning']);

  let ids: Record<string, string>;
  let caller: Caller;
  beforeAll(async () => {
    caller = await login(lk, org.ownerEmail); // its own session: the random fuzzing above may sign out
    const o = `/api/v1/orgs/${org.slug}`;
    const sa = (
      await lk.app.inject({
        method: 'POST',
        url: `${o}/service-accounts`,
        headers: caller.headers,
        payload: { name: 'fuzz-target' },
      })
    ).json();
    const token = (
      await lk.app.inject({
        method: 'POST',
        url: `${o}/tokens`,
        headers: caller.headers,
        payload: { name: 'fuzz', type: 'private', serviceAccountId: sa.id },
      })
    ).json();
    const role = (
      await lk.app.inject({
        method: 'POST',
        url: `${o}/roles`,
        headers: caller.headers,
        payload: { name: 'Fuzz role', permissions: ['assets:view'] },
      })
    ).json();
    const inv = (
      await lk.app.inject({
        method: 'POST',
        url: `${o}/invitations`,
        headers: caller.headers,
        payload: { email: 'fuzz-invitee@fuzz.test', roleId: role.id },
      })
    ).json();
    const endpoint = (
      await lk.app.inject({
        method: 'POST',
        url: `${o}/webhook-endpoints`,
        headers: caller.headers,
        payload: { url: 'https://hooks.fuzz.test/latchkey', eventTypes: ['token.created'] },
      })
    ).json();
    const delivery = (
      await lk.app.inject({
        method: 'POST',
        url: `${o}/webhook-endpoints/${endpoint.id}/test`,
        headers: caller.headers,
      })
    ).json();
    ids = {
      sa: sa.id,
      tok: token.item.id,
      rol: role.id,
      inv: inv.invitation.id,
      usr: org.ownerId,
      org: org.slug,
      whe: endpoint.id,
      whd: delivery.id,
    };
    for (const [k, v] of Object.entries(ids)) expect(v, k).toBeTypeOf('string');
  });

  /** A value the schema accepts, built from the schema (every optional field included, one item per array). */
  function sample(s: Schema, key: string, route: string): Json {
    if (s.anyOf) return sample(s.anyOf.find((x) => x.type !== 'null') ?? s.anyOf[0]!, key, route);
    if (s.const !== undefined) return s.const;
    if (s.enum) return s.enum[0]!;
    switch (s.type) {
      case 'object':
        return Object.fromEntries(
          Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v, k, route)]),
        );
      case 'array':
        return [sample(s.items!, key, route)];
      case 'boolean':
        return false;
      case 'integer':
      case 'number':
        return typeof s.default === 'number' ? s.default : (s.minimum ?? 1);
      case 'string': {
        const prefix = /^\^\(?(sa|tok|rol|inv|usr|whe|whd)[_|]/.exec(s.pattern ?? '')?.[1];
        if (prefix) return ids[prefix]!;
        if (key === 'cursor')
          return route.includes('audit-log')
            ? b64({ seq: '1000' })
            : b64({ createdAt: '2030-01-01T00:00:00.000Z', id: ids.tok });
        if (s.format === 'date-time') return '2030-01-01T00:00:00Z';
        if (s.format === 'email') return 'fuzz@fuzz.test';
        if (s.pattern?.includes(':(view|edit)')) return 'assets:view';
        if (key === 'org') return ids.org!;
        if (key === 'serviceAccountId') return ids.sa!;
        if (key === 'ip' || key === 'allowedIps') return '203.0.113.7';
        if (s.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return '2026-06-01'; // a day (usage reports)
        return 'fuzz'.padEnd(s.minLength ?? 0, 'z');
      }
      default:
        return null;
    }
  }

  function leaves(s: Schema, part: Part, path: (string | number)[] = []): Leaf[] {
    if (s.anyOf) return leaves(s.anyOf.find((x) => x.type !== 'null') ?? s.anyOf[0]!, part, path);
    if (s.type === 'object')
      return Object.entries(s.properties ?? {}).flatMap(([k, v]) => leaves(v, part, [...path, k]));
    if (s.type === 'array') return leaves(s.items!, part, [...path, 0]);
    return s.type === 'string' && s.const === undefined ? [{ part, path, schema: s }] : [];
  }

  function withValue(base: Json, path: (string | number)[], value: string): Json {
    const copy = structuredClone(base) as Record<string | number, Json>;
    let at = copy;
    for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, Json>;
    at[path[path.length - 1]!] = value;
    return copy;
  }

  it('never 5xx, and the schema refuses control characters, impossible dates and forged cursors', async () => {
    const routes = lk.app.routeTable.filter(
      (r) => String(r.url).startsWith('/api/v1/') && r.method !== 'HEAD' && !Array.isArray(r.method),
    );
    let variants = 0;
    for (const r of routes) {
      const name = `${String(r.method)} ${r.url}`;
      const schemas = (r.schema ?? {}) as Partial<Record<Part, Schema>>;
      const base = Object.fromEntries(
        (['params', 'querystring', 'body'] as const).map((p) => [
          p,
          schemas[p] ? sample(schemas[p], p, r.url) : undefined,
        ]),
      ) as Record<Part, Json | undefined>;
      for (const p of ['params', 'querystring', 'body'] as const) {
        if (schemas[p])
          expect(
            Value.Check(schemas[p] as never, base[p]),
            `${name}: the sample ${p} ${JSON.stringify(base[p])} is not valid`,
          ).toBe(true);
      }
      const all = (['params', 'querystring', 'body'] as const).flatMap((p) =>
        schemas[p] ? leaves(schemas[p], p) : [],
      );
      for (const leaf of all) {
        const key = String(leaf.path[leaf.path.length - 1]);
        const mustRefuse = [
          ...CONTROL,
          ...(leaf.schema.format === 'date-time' ? BAD_DATES : []),
          ...(key === 'cursor' ? BAD_CURSORS : []),
        ];
        for (const value of [...mustRefuse, ...OTHER]) {
          if (leaf.part !== 'body' && /[\ud800-\udfff]/.test(value)) continue; // a URL cannot carry a lone surrogate
          const req = { ...base, [leaf.part]: withValue(base[leaf.part]!, leaf.path, value) } as Record<
            Part,
            Record<string, Json> | undefined
          >;
          const path = r.url.replace(/:([A-Za-z]+)/g, (_m, k: string) =>
            encodeURIComponent(String(req.params![k])),
          );
          const query = req.querystring
            ? `?${new URLSearchParams(Object.entries(req.querystring).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
            : '';
          const res = await lk.app.inject({
            method: r.method as 'POST',
            url: `${path}${query}`,
            headers: { ...caller.headers, ...(req.body ? { 'content-type': 'application/json' } : {}) },
            ...(req.body ? { payload: JSON.stringify(req.body) } : {}),
          });
          variants += 1;
          const where = `${name} ${leaf.part}/${leaf.path.join('/')} = ${JSON.stringify(value).slice(0, 60)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          expect(res.statusCode, where).toBeLessThan(500);
          if (mustRefuse.includes(value) && !DECISION_ROUTES.has(name) && !SIGNED_ROUTES.has(name)) {
            expect(res.statusCode, where).toBe(400);
            expect(errorCode(res), where).toBe('validation_failed');
          }
        }
      }
    }
    expect(variants).toBeGreaterThan(500);
  }, 300_000);
});
