import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATE_COMMAND, OPENAPI_JSON, renderApiContract, SCHEMA_TS } from '../../scripts/api-contract.mjs';
import { startInstance, type TestInstance } from '../helpers/harness.js';

/**
 * The management API contract is generated, not written: packages/api-client holds the OpenAPI document and
 * the TypeScript types that the console and the CLI compile against. Regenerated here in memory from the
 * source app; a response schema changed without regenerating fails this test (and CI) with the command to run.
 */

let lk: TestInstance;
let document: object;
beforeAll(async () => {
  lk = await startInstance();
  await lk.app.ready();
  document = lk.app.swagger();
});
afterAll(() => lk.close());

const stale = (file: string) =>
  `${file} is stale: the API's schemas changed. Run \`${GENERATE_COMMAND}\` and commit the result.`;

describe('the generated API contract in packages/api-client', () => {
  it('openapi.json and src/generated/schema.ts are what the app generates now', async () => {
    const { json, schema } = await renderApiContract(document);
    // toBe on whole files would print two 10,000-line strings: compare, and name the command on failure.
    expect(readFileSync(OPENAPI_JSON, 'utf8') === json, stale(OPENAPI_JSON)).toBe(true);
    expect(readFileSync(SCHEMA_TS, 'utf8') === schema, stale(SCHEMA_TS)).toBe(true);
  });

  it('the document is the one the server serves at /api/v1/openapi.json', async () => {
    const res = await lk.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(`${JSON.stringify(res.json(), null, 2)}\n`).toBe(readFileSync(OPENAPI_JSON, 'utf8'));
  });

  it('a changed response schema changes the generated types (so the check above catches it)', async () => {
    const changed = JSON.parse(JSON.stringify(document)) as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<
              string,
              { content: Record<string, { schema: { properties: Record<string, unknown> } }> }
            >;
          }
        >
      >;
    };
    const me = changed.paths['/api/v1/me']!.get!.responses['200']!.content['application/json']!.schema;
    expect(Object.keys(me.properties)).toContain('csrfToken');
    me.properties.renamedCsrfToken = me.properties.csrfToken;
    delete me.properties.csrfToken;
    const { schema } = await renderApiContract(changed);
    expect(schema).not.toBe(readFileSync(SCHEMA_TS, 'utf8'));
    expect(schema).toContain('renamedCsrfToken');
    expect(schema.startsWith('/**\n * GENERATED FILE')).toBe(true);
    expect(schema).toContain(GENERATE_COMMAND);
  });
});
