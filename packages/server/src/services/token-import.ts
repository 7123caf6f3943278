import { normalizeIpAllowlist } from '../domain/ip-allowlist.js';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AppError, type ImportRowCode } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { decideTokenDomains } from '../domain/token-rules.js';
import { effectiveTokenPermissions, missingFrom } from '../domain/permissions.js';
import {
  LEGACY_HASH_ONLY_HINT,
  LEGACY_MIN_LENGTH,
  hashToken,
  parseToken,
  tokenHint,
  type TokenType,
} from '../domain/token-format.js';
import { decideTokenLifetime, type TokenPolicyDecision } from '../domain/token-policy.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import type { InvalidationEvent } from '../domain/invalidation-event.js';
import { invalidationsOf, type DomainEvent } from './events.js';
import { buildToken } from './token-draft.js';
import { inTransaction, iso, onConflict, type OrgScope, type ServiceDeps } from './context.js';
import { tokenSnapshot } from './token-view.js';

export interface ImportRow {
  ownerEmail: string;
  name: string;
  type: TokenType;
  domains?: string[];
  /** An IP allowlist, and whether its allowlists only report: a legacy token can come in report-only. */
  allowedIps?: string[];
  enforcement?: 'enforce' | 'report_only';
  value?: string;
  sha256?: string;
  /** When the legacy token expires; capped at the org's maximum lifetime (issue 11, finding 7). */
  expiresAt?: string | null;
}

/** Why a row cannot be imported: the closed set in domain/errors.ts. */
export type { ImportRowCode };

export interface ImportRowResult {
  index: number;
  ok: boolean;
  code?: ImportRowCode;
  message?: string;
  tokenId?: string;
  /** The expiry the token gets (or would get, in a dry run) under the org's policy. */
  expiresAt?: string | null;
}

/**
 * Rows one request may carry; bigger migrations go in several requests (docs/migration.md). With
 * the byte limit below, this keeps every synchronous step of a request (JSON parsing, schema
 * validation, serialising the answer) to a few milliseconds, so verifications are never held up.
 */
export const MAX_IMPORT_ROWS = 2_000;
/** Bytes one import request may carry (the route's body limit, the same as every other route's). */
export const MAX_IMPORT_BYTES = 1024 * 1024;
/** Rows checked between two yields to the event loop, so verifications are never kept waiting. */
const ROWS_PER_SLICE = 250;
/** Values looked up per query, between two yields. */
const HASHES_PER_LOOKUP = 250;
/** Tokens (and their audit entries) written per statement, between two yields. */
const INSERTS_PER_SLICE = 100;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A row that passed the checks that need no database, with everything computed from it. */
interface Parsed {
  index: number;
  row: ImportRow;
  hash: string;
  hint: string;
  domains: string[];
  allowedIps: string[];
}

/**
 * Rule 16: legacy user-owned tokens enter only through this import (by value or by SHA-256, in bulk,
 * with a dry run). Every row is checked first; one bad row means nothing is written.
 *
 * Issue 11 decisions (docs/security.md, "Importing legacy tokens"):
 * - Duplicates: the dry run compares values with this org's tokens only, so it says nothing about
 *   other orgs (a value live elsewhere answers exactly like a fresh one). The real import must keep
 *   values unique across the deployment, so a value that exists in another org is refused there, with
 *   the generic `value_unavailable`; the route charges every row of a real import to the caller's
 *   verify-failure budget first, so the import is no faster an oracle than /verify.
 * - Legacy values shorter than LEGACY_MIN_LENGTH are refused (`value_too_short`); hints show the
 *   last 2 characters and the length only.
 * - Expiry follows the org's token policy (domain/token-policy.ts): capped at the org's maximum.
 * - The work is sliced: the checks that need no database (hashing, allowlists) run before the
 *   transaction and yield to the event loop between slices, so a large import does not hold up
 *   verifications.
 */
export function tokenImportService(deps: ServiceDeps) {
  const { clock, config } = deps;

  /** Checks every row that needs no database, yielding between slices. */
  async function parseRows(
    rows: ImportRow[],
    fail: (index: number, code: ImportRowCode, message: string) => void,
  ): Promise<Parsed[]> {
    const parsed: Parsed[] = [];
    const seen = new Set<string>();
    for (let start = 0; start < rows.length; start += ROWS_PER_SLICE) {
      if (start > 0) await yieldToLoop();
      for (let index = start; index < Math.min(rows.length, start + ROWS_PER_SLICE); index++) {
        const row = rows[index]!;
        const refuse = (code: ImportRowCode, message: string) => fail(index, code, message);
        if ((row.value === undefined) === (row.sha256 === undefined)) {
          refuse('invalid_import', 'Give exactly one of value or sha256.');
          continue;
        }
        let hash: string;
        let hint: string;
        if (row.value !== undefined) {
          const kind = parseToken(row.value, config.tokenPrefix).kind;
          if (kind === 'malformed') {
            refuse('invalid_import', 'The value must be 8–512 printable ASCII characters without spaces.');
            continue;
          }
          if (kind === 'foreign' && row.value.length < LEGACY_MIN_LENGTH) {
            refuse(
              'value_too_short',
              `Legacy values shorter than ${LEGACY_MIN_LENGTH} characters are not imported: a value that short can be guessed. Issue a new token instead.`,
            );
            continue;
          }
          hash = hashToken(row.value);
          hint = tokenHint(row.value, row.type, config.tokenPrefix);
        } else {
          hash = row.sha256!.toLowerCase();
          if (!SHA256_HEX.test(hash)) {
            refuse('invalid_import', 'sha256 must be 64 hexadecimal characters.');
            continue;
          }
          // Nothing of the value is known; a hash prefix would only help guess short values offline.
          hint = LEGACY_HASH_ONLY_HINT;
        }
        if (seen.has(hash)) {
          refuse('duplicate_value', 'The same value appears twice in this import.');
          continue;
        }
        seen.add(hash);
        const domains = decideTokenDomains(row.type, row.domains);
        if (!domains.ok) {
          refuse(domains.code, domains.message);
          continue;
        }
        const ips = normalizeIpAllowlist(row.allowedIps ?? []);
        if (!ips.ok) {
          refuse('validation_failed', ips.message);
          continue;
        }
        parsed.push({ index, row, hash, hint, domains: domains.origins, allowedIps: ips.ranges });
      }
    }
    return parsed;
  }

  return {
    async run(scope: OrgScope, rows: ImportRow[], dryRun: boolean) {
      if (rows.length > MAX_IMPORT_ROWS) {
        throw new AppError(
          'payload_too_large',
          `At most ${MAX_IMPORT_ROWS} rows per import request: split the file.`,
          { maxRows: MAX_IMPORT_ROWS },
        );
      }
      const failures = new Map<number, ImportRowResult>();
      const fail = (index: number, code: ImportRowCode, message: string) => {
        if (!failures.has(index)) failures.set(index, { index, ok: false, code, message });
      };
      const parsed = await parseRows(rows, fail);
      // Lengthy checks are done; a slice more for the database work to come.
      await yieldToLoop();

      const written: InvalidationEvent[] = [];
      try {
        return await inTransaction(deps, async (tx, events) => {
          // Lock the owners' memberships, so none of them can be removed while tokens are given to them.
          const owners = new Set(rows.map((r) => r.ownerEmail.toLowerCase()));
          for (const m of await tx.members.listByOrg(scope.org.id))
            if (owners.has(m.email)) await tx.members.lockForUpdate(scope.org.id, m.userId);
          const members = new Map((await tx.members.listByOrg(scope.org.id)).map((m) => [m.email, m]));
          const roles = new Map((await tx.roles.listByOrg(scope.org.id)).map((r) => [r.id, r.permissions]));
          const org = (await tx.orgs.findById(scope.org.id))!;
          const existing = new Map<string, string>();
          for (let start = 0; start < parsed.length; start += HASHES_PER_LOOKUP) {
            if (start > 0) await yieldToLoop();
            const hashes = parsed.slice(start, start + HASHES_PER_LOOKUP).map((p) => p.hash);
            for (const [hash, orgId] of await tx.tokens.orgsOfHashes(
              hashes,
              dryRun ? scope.org.id : undefined,
            ))
              existing.set(hash, orgId);
          }
          const now = clock.now();
          const at = iso(now);
          // Thousands of rows share a handful of roles and expiries: decide each distinct one once.
          const missing = new Map<string, number>();
          const escalates = (roleId: string, type: TokenType) => {
            const key = `${roleId} ${type}`;
            let m = missing.get(key);
            if (m === undefined) {
              const effective = effectiveTokenPermissions({
                ownerRole: roles.get(roleId) ?? [],
                tokenPermissions: null,
                type,
                catalog: config.catalog,
              });
              missing.set(key, (m = missingFrom(scope.permissions, effective).length));
            }
            return m > 0;
          };
          const lifetimes = new Map<string | null | undefined, TokenPolicyDecision>();
          const lifetimeOf = (expiresAt: string | null | undefined) => {
            let d = lifetimes.get(expiresAt);
            if (!d)
              lifetimes.set(
                expiresAt,
                (d = decideTokenLifetime(
                  { maxLifetimeDays: org.maxTokenLifetimeDays },
                  { kind: 'import', expiresAt },
                  now,
                )),
              );
            return d;
          };

          /** Row index → the token it becomes. */
          const planned = new Map<number, TokenRecord>();
          for (let start = 0; start < parsed.length; start += ROWS_PER_SLICE) {
            // Nothing is written yet: yielding here lets verifications through without showing them anything.
            if (start > 0) await yieldToLoop();
            for (const p of parsed.slice(start, start + ROWS_PER_SLICE)) {
              const { row, index } = p;
              const member = members.get(row.ownerEmail.toLowerCase());
              if (!member) {
                fail(index, 'owner_not_member', `${row.ownerEmail} is not a member of this org.`);
                continue;
              }
              const holder = existing.get(p.hash);
              if (holder === scope.org.id) {
                fail(index, 'duplicate_value', 'A token with this value already exists in this org.');
                continue;
              }
              // Only the real import looks past this org (see above); the message says nothing of where.
              if (holder !== undefined && !dryRun) {
                fail(
                  index,
                  'value_unavailable',
                  'This value cannot be imported. Issue a new token for it instead.',
                );
                continue;
              }
              const lifetime = lifetimeOf(row.expiresAt);
              if (!lifetime.ok) {
                fail(
                  index,
                  lifetime.code === 'invalid_expiry' ? 'invalid_expiry' : 'invalid_import',
                  lifetime.message,
                );
                continue;
              }
              if (escalates(member.roleId, row.type)) {
                fail(
                  index,
                  'permission_escalation',
                  "You cannot import this token: it would carry its owner's permissions, which you do not hold.",
                );
                continue;
              }
              planned.set(
                index,
                buildToken(
                  {
                    orgId: scope.org.id,
                    name: row.name,
                    type: row.type,
                    owner: { userId: member.userId },
                    domains: p.domains,
                    allowedIps: p.allowedIps,
                    enforcement: row.enforcement ?? 'enforce',
                    permissions: null,
                    expiresAt: lifetime.expiresAt,
                    createdBy: scope.actor,
                    at,
                    imported: true,
                  },
                  { hash: p.hash, hint: p.hint, publicValue: row.value ?? null },
                  dryRun ? '' : newId('token'),
                ),
              );
            }
          }

          const results: ImportRowResult[] = rows.map((_row, index) => {
            const token = planned.get(index);
            if (!token) return failures.get(index)!;
            return { index, ok: true, tokenId: dryRun ? undefined : token.id, expiresAt: token.expiresAt };
          });
          const failed = results.filter((r) => !r.ok);
          if (dryRun) return { dryRun: true, valid: failed.length === 0, imported: 0, rows: results };
          if (failed.length > 0) {
            throw new AppError(
              'invalid_import',
              `${failed.length} of ${rows.length} row(s) cannot be imported; nothing was imported.`,
              { rows: failed },
            );
          }
          const tokens = [...planned.values()];
          for (let start = 0; start < tokens.length; start += INSERTS_PER_SLICE) {
            // On SQLite the verify path reads through this same connection, so between slices it can
            // see rows not yet committed: if the commit then fails, `written` drops what it may have cached.
            if (start > 0) await yieldToLoop();
            const slice = tokens.slice(start, start + INSERTS_PER_SLICE);
            const imported = slice.map((token): DomainEvent => ({
              type: 'token.imported',
              hash: token.hash,
              token: tokenSnapshot(token),
            }));
            for (const event of imported) written.push(...invalidationsOf(event, scope.org.id));
            // Another import took a value between our check and this insert.
            await onConflict(
              tx.tokens.insertMany(slice),
              () =>
                new AppError(
                  'value_taken',
                  'A value in this import was taken while it ran; nothing was imported. Run it again.',
                ),
            );
            await events.recordAll(scope, at, imported);
          }
          return { dryRun: false, valid: true, imported: planned.size, rows: results };
        });
      } catch (e) {
        if (written.length > 0) deps.bus.publish(written);
        throw e;
      }
    },
  };
}
