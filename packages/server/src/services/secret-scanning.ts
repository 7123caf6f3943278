import type { ScanLabel } from '../domain/secret-scanning.js';
import { hashToken, parseToken } from '../domain/token-format.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import { tokenChange } from './events.js';
import { recordLeak } from './token-lifecycle.js';

/** One value a secret scanner found, as GitHub's partner program reports it. */
export interface FoundValue {
  token: string;
  /** The scanner's name for the pattern that matched (answered back as `token_type`). */
  type: string;
  /** Where it was found (may be empty). */
  url: string;
  /** Where on the scanner (GitHub: `commit`, `content`, `npm`, …); older reports have none. */
  source?: string;
}

/** The answer for one value: its SHA-256 (never the value) and whether it is a credential we issued. */
export interface ScanAnswer {
  hash: string;
  type: string;
  label: ScanLabel;
}

/** Who reported: the scanner the signing key belongs to, and the address it called from. */
export interface Reporter {
  scanner: string;
  ip: string | null;
}

/** How a reported value was handled (for tests and the answer; never the value itself). */
type Outcome = 'unknown' | 'leaked' | 'exposed' | 'unchanged';

/**
 * The secret-scanning receiver's use case (docs/secret-scanning.md): values a scanner found published.
 * A value that is, or was, one of our tokens' secrets is a true positive; then a private token whose
 * found value still authenticates is revoked and marked compromised (the leak path of report-leak), and
 * otherwise — a public value, public by design, or a value a rotation has already retired — the token is
 * marked exposed and stays live. Each change is recorded as an event in the token's own org, with a
 * system actor naming the scanner. A report that names the place already recorded changes nothing and
 * records nothing, so a replayed report is harmless.
 */
export function secretScanningService(deps: ServiceDeps) {
  const { store, clock, config } = deps;

  /** The token `hash` is a secret of, and which one; for a previous secret, whether it still verifies. */
  async function secretOf(tx: Store, hash: string, now: string) {
    const current = await tx.tokens.findByHash(hash);
    if (current) return { tokenId: current.id, secret: 'current' as const, verifies: true };
    const previous = await tx.tokenSecrets.findByHash(hash);
    if (!previous) return null;
    const verifies = previous.retiredAt === null && (previous.retiresAt === null || previous.retiresAt > now);
    return { tokenId: previous.tokenId, secret: 'previous' as const, verifies };
  }

  async function judge(found: FoundValue, hash: string, reporter: Reporter): Promise<Outcome> {
    // A value that cannot be ours (a checksum that does not add up, another deployment's prefix) is
    // refused without a lookup, as the verifier does.
    if (parseToken(found.token, config.tokenPrefix).kind === 'malformed') return 'unknown';
    if (!(await secretOf(store, hash, iso(clock.now())))) return 'unknown';
    return inTransaction(deps, async (tx, events) => {
      const at = iso(clock.now());
      // Again under the token's lock: a rotation or revocation may have happened in between.
      const which = await secretOf(tx, hash, at);
      if (!which) return 'unknown';
      await tx.tokens.lockForUpdate(which.tokenId);
      const before = (await tx.tokens.findById(which.tokenId))!;
      const org = (await tx.orgs.findById(before.orgId))!;
      const scope: OrgScope = {
        org,
        actor: {
          type: 'system',
          id: null,
          label: `secret scanning (${reporter.scanner})`,
          userId: null,
          ip: reporter.ip,
        },
        permissions: [],
      };
      const url = found.url === '' ? null : found.url;
      const source = found.source ?? null;
      if (before.type === 'private' && which.verifies) {
        if (before.compromisedAt !== null && before.leakWhere === url) return 'unchanged';
        const note = `Found by secret scanning (${reporter.scanner})${source ? `, source ${source}` : ''}.`;
        await recordLeak(tx, events, scope, before, { where: url, note, source }, at);
        return 'leaked';
      }
      if (before.exposedAt !== null && before.exposedUrl === url) return 'unchanged';
      await tx.tokens.update(before.id, {
        exposedAt: before.exposedAt ?? at,
        exposedUrl: url,
        exposedSource: source,
        updatedAt: at,
      });
      const after = (await tx.tokens.findById(before.id))!;
      await events.record(scope, at, {
        type: 'token.exposed',
        ...tokenChange(before, after),
        url,
        source,
        secret: which.secret,
      });
      return 'exposed';
    });
  }

  return {
    /**
     * Judges each reported value, in order, one transaction per token found. A value reported twice in
     * one batch is judged once. Answers per value, in the order reported.
     */
    async report(found: readonly FoundValue[], reporter: Reporter): Promise<ScanAnswer[]> {
      const judged = new Map<string, Outcome>();
      const answers: ScanAnswer[] = [];
      for (const f of found) {
        const hash = hashToken(f.token);
        let outcome = judged.get(hash);
        if (outcome === undefined) {
          outcome = await judge(f, hash, reporter);
          judged.set(hash, outcome);
        }
        answers.push({
          hash,
          type: f.type,
          label: outcome === 'unknown' ? 'false_positive' : 'true_positive',
        });
      }
      return answers;
    },
  };
}
