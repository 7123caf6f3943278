import { AppError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { normalizeAllowlist } from '../domain/origins.js';
import { effectiveTokenPermissions } from '../domain/permissions.js';
import { hashToken, parseToken, tokenHint, type TokenType } from '../domain/token-format.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import { writeAudit } from './audit.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import { assertNoEscalation } from './guards.js';
import { tokenAuditView } from './tokens.js';

export interface ImportRow {
  ownerEmail: string;
  name: string;
  type: TokenType;
  domains?: string[];
  value?: string;
  sha256?: string;
}

export interface ImportRowResult {
  index: number;
  ok: boolean;
  code?: string;
  message?: string;
  tokenId?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Rule 16: legacy user-owned tokens enter only through this import (by value or by SHA-256, in bulk,
 * with a dry run). Every row is checked first; one bad row means nothing is written.
 */
export function tokenImportService(deps: ServiceDeps) {
  const { clock, config } = deps;

  return {
    async run(scope: OrgScope, rows: ImportRow[], dryRun: boolean) {
      return inTransaction(deps, async (tx, invalidate) => {
        // Lock the owners' memberships, so none of them can be removed while tokens are given to them.
        const owners = new Set(rows.map((r) => r.ownerEmail.toLowerCase()));
        for (const m of await tx.members.listByOrg(scope.org.id)) if (owners.has(m.email)) await tx.members.lockForUpdate(scope.org.id, m.userId);
        const members = new Map((await tx.members.listByOrg(scope.org.id)).map((m) => [m.email, m]));
        const roles = new Map((await tx.roles.listByOrg(scope.org.id)).map((r) => [r.id, r.permissions]));
        const results: ImportRowResult[] = [];
        const planned: TokenRecord[] = [];
        const hashes = rows.map((r) => (r.value !== undefined ? hashToken(r.value) : (r.sha256 ?? '').toLowerCase()));
        const existing = await tx.tokens.existingHashes(hashes.filter((h) => SHA256_HEX.test(h)));
        const seen = new Set<string>();
        const at = iso(clock.now());

        rows.forEach((row, index) => {
          const fail = (code: string, message: string) => results.push({ index, ok: false, code, message });
          const member = members.get(row.ownerEmail.toLowerCase());
          if (!member) return fail('owner_not_member', `${row.ownerEmail} is not a member of this org.`);
          if ((row.value === undefined) === (row.sha256 === undefined)) return fail('invalid_import', 'Give exactly one of value or sha256.');
          if (row.value !== undefined && parseToken(row.value, config.tokenPrefix).kind === 'malformed') {
            return fail('invalid_import', 'The value must be 8–512 printable ASCII characters without spaces.');
          }
          const hash = hashes[index]!;
          if (!SHA256_HEX.test(hash)) return fail('invalid_import', 'sha256 must be 64 hexadecimal characters.');
          if (existing.has(hash)) return fail('duplicate_value', 'A token with this value already exists.');
          if (seen.has(hash)) return fail('duplicate_value', 'The same value appears twice in this import.');
          seen.add(hash);
          let domains: string[] = [];
          if (row.type === 'public') {
            if (!row.domains || row.domains.length === 0) return fail('domains_required', 'A public token needs at least one domain.');
            const check = normalizeAllowlist(row.domains);
            if (!check.ok) return fail(check.code, check.message);
            domains = check.origins;
          } else if (row.domains && row.domains.length > 0) {
            return fail('validation_failed', 'Private tokens take no domains.');
          }
          const effective = effectiveTokenPermissions({ ownerRole: roles.get(member.roleId) ?? [], tokenPermissions: null, type: row.type, catalog: config.catalog });
          try {
            assertNoEscalation(scope, effective, 'import this token');
          } catch (e) {
            return fail((e as AppError).code, (e as AppError).message);
          }
          const id = newId('token');
          planned.push({
            id,
            orgId: scope.org.id,
            name: row.name,
            type: row.type,
            hash,
            hint: row.value !== undefined ? tokenHint(row.value, row.type, config.tokenPrefix) : `sha256:${hash.slice(0, 8)}`,
            publicValue: row.type === 'public' && row.value !== undefined ? row.value : null,
            ownerServiceAccountId: null,
            ownerUserId: member.userId,
            permissions: null,
            domains,
            expiresAt: null,
            revokedAt: null,
            importedAt: at,
            createdByType: scope.actor.type,
            createdById: scope.actor.id,
            createdAt: at,
            updatedAt: at,
            lastUsedAt: null,
            lastUsedOrigin: null,
          });
          results.push({ index, ok: true, tokenId: dryRun ? undefined : id });
        });

        const failed = results.filter((r) => !r.ok);
        if (dryRun) return { dryRun: true, valid: failed.length === 0, imported: 0, rows: results };
        if (failed.length > 0) {
          throw new AppError('invalid_import', `${failed.length} of ${rows.length} row(s) cannot be imported; nothing was imported.`, { rows: failed });
        }
        for (const token of planned) {
          await tx.tokens.insert(token);
          await writeAudit(tx, scope, at, { action: 'token.import', targetType: 'token', targetId: token.id, after: tokenAuditView(token) });
          // A value that was negatively cached as unknown must now be found.
          invalidate({ kind: 'token', tokenId: token.id, hash: token.hash, imported: true });
        }
        return { dryRun: false, valid: true, imported: planned.length, rows: results };
      });
    },
  };
}
