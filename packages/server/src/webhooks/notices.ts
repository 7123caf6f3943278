import type { QuotaInfo, RateLimitInfo } from '@latchkey/protocol';
import { newId } from '../domain/ids.js';
import type { Clock } from '../services/context.js';
import type { Mailer } from '../services/mailer.js';
import { tokenSnapshot } from '../services/token-view.js';
import type { Store } from '../store/store.js';
import { Outbox, type WebhookEvent } from './outbox.js';

const DAY_MS = 86_400_000;
/** Only expiries this recent are announced as `token.expired` (not every token that ever expired). */
const EXPIRED_LOOKBACK_MS = DAY_MS;
/** Limit windows remembered for their one notice: the longest a window lasts (7 days) and a day more. */
const LIMIT_NOTICE_RETENTION_MS = 8 * DAY_MS;
/** Limits noted per instance between sweeps; beyond it, noted ones wait for the next window. */
const MAX_PENDING_LIMITS = 10_000;
const BATCH = 200;
/** Finished deliveries (and their attempts) kept in the delivery log. */
export const DELIVERY_LOG_DAYS = 30;

export interface NoticeOptions {
  store: Store;
  clock: Clock;
  mailer: Mailer | null | undefined;
  /** LATCHKEY_EXPIRY_NOTICE_DAYS: thresholds in days before an expiry, e.g. [30, 7, 1]. */
  expiryDays: readonly number[];
  /** The console's base URL, for links in e-mails. */
  publicUrl: string;
  onError(err: unknown): void;
}

export interface Notices {
  /**
   * A verification refused by a rate-limit window or the quota (from the verifier's decision callback: a
   * map insert, nothing more). The sweep announces each window once, whichever instance saw it first.
   */
  noteLimit(
    orgId: string,
    tokenId: string,
    code: 'rate_limited' | 'quota_exhausted',
    info: RateLimitInfo | QuotaInfo | undefined,
  ): void;
  /** One pass: new sources and exhausted limits, and (`expiry`) the expiry thresholds. Resolves with the events queued. */
  sweep(expiry?: boolean): Promise<number>;
}

/**
 * The notices nobody's request causes (issue 16): a token nearing or reaching its expiry, a token first
 * used from an origin or address it was never used from, a rate-limit window or quota exhausted. Each is
 * claimed in the store (a primary key or a guarded update lets one instance claim it) in the same
 * transaction that queues its webhook deliveries, so it is announced once. Expiry notices are e-mailed
 * too, after the commit, to the org's Owners, the service account's contact address and a legacy token's
 * owner. New sources come from the usage flush (store/queries/usage.ts, token_known_sources), so the
 * verification path only ever adds to in-memory batches.
 */
export function createNotices(opts: NoticeOptions): Notices {
  const { store, clock } = opts;
  const thresholds = [...new Set(opts.expiryDays)].sort((a, b) => b - a);
  const limits = new Map<
    string,
    { orgId: string; tokenId: string; type: string; data: Record<string, unknown>; endsAt: number }
  >();
  /** Windows this instance already put to the store, until they end: noted once, not on every refusal. */
  const swept = new Map<string, number>();
  let prunedOn = '';

  /** Once a day: finished deliveries older than DELIVERY_LOG_DAYS leave the log. */
  async function pruneDeliveryLog(now: Date): Promise<number> {
    const today = now.toISOString().slice(0, 10);
    if (prunedOn === today) return 0;
    await store.webhooks.pruneFinished(new Date(now.getTime() - DELIVERY_LOG_DAYS * DAY_MS).toISOString());
    prunedOn = today;
    return 0;
  }

  async function tokenData(tx: Store, tokenId: string) {
    const t = await tx.tokens.findById(tokenId);
    return t ? { token: t, snapshot: tokenSnapshot(t) } : undefined;
  }

  async function orgRef(tx: Store, orgId: string) {
    const org = await tx.orgs.findById(orgId);
    return { id: orgId, slug: org?.slug ?? orgId, name: org?.name ?? orgId };
  }

  const event = (
    type: string,
    org: { id: string; slug: string },
    at: string,
    data: Record<string, unknown>,
  ): WebhookEvent => ({
    id: newId('event'),
    type,
    timestamp: at,
    org: { id: org.id, slug: org.slug },
    actor: null,
    data,
  });

  /**
   * Expiry: per band between two thresholds (expired in the last day: 0; within 1 day: 1; within 7: 7…),
   * the tokens not yet told about that band's threshold. A token's notice claims the larger thresholds too,
   * so one that is created expiring in 5 days hears "7 days" once, then "1 day", never "30".
   */
  async function expiries(now: Date): Promise<number> {
    if (thresholds.length === 0) return 0;
    const at = now.toISOString();
    const bands = [...thresholds, 0].reverse(); // 0, 1, 7, 30
    let queued = 0;
    for (let i = 0; i < bands.length; i++) {
      const days = bands[i]!;
      const from = days === 0 ? now.getTime() - EXPIRED_LOOKBACK_MS : now.getTime() + bands[i - 1]! * DAY_MS;
      const rows = await store.notices.tokensToNotify(
        new Date(from).toISOString(),
        new Date(now.getTime() + days * DAY_MS).toISOString(),
        days,
        BATCH,
      );
      for (const row of rows) {
        const expiresAt = row.expiresAt!;
        const mail = await store.transaction(async (tx) => {
          const claimed = await tx.notices.claimExpiry(row.id, expiresAt, bands.slice(i), at);
          if (!claimed.includes(days)) return null;
          const found = await tokenData(tx, row.id);
          if (!found) return null;
          const org = await orgRef(tx, row.orgId);
          const data =
            days === 0
              ? { token: found.snapshot, expiredAt: expiresAt }
              : { token: found.snapshot, expiresAt, daysLeft: days };
          await new Outbox(tx).add(org.id, [
            event(days === 0 ? 'token.expired' : 'token.expiring', org, at, data),
          ]);
          queued += 1;
          return { to: await expiryRecipients(tx, row.orgId, found.token), token: found.token, org };
        });
        if (mail && opts.mailer) await mailExpiry(mail, days, expiresAt);
      }
    }
    return queued;
  }

  async function mailExpiry(
    mail: {
      to: string[];
      token: { id: string; name: string; hint: string };
      org: { slug: string; name: string };
    },
    days: number,
    expiresAt: string,
  ): Promise<void> {
    const { token, org } = mail;
    const subject =
      days === 0
        ? `Latchkey: token "${token.name}" in ${org.name} has expired`
        : `Latchkey: token "${token.name}" in ${org.name} expires in ${days} day${days === 1 ? '' : 's'}`;
    const text = [
      days === 0
        ? `The API token "${token.name}" (${token.hint}) in ${org.name} expired at ${expiresAt}. Requests with it are refused.`
        : `The API token "${token.name}" (${token.hint}) in ${org.name} expires at ${expiresAt}.`,
      '',
      `Rotate it, or give it a later expiry: ${opts.publicUrl}/orgs/${org.slug}/tokens/${token.id}`,
    ].join('\n');
    for (const to of mail.to) await opts.mailer!.send({ to, subject, text });
  }

  /** The org's Owners, the owning service account's contact address, a legacy token's owner. */
  async function expiryRecipients(
    tx: Store,
    orgId: string,
    token: { ownerServiceAccountId: string | null; ownerUserId: string | null },
  ) {
    const to = new Set<string>();
    for (const m of await tx.members.listByOrg(orgId)) if (m.roleBuiltin === 'Owner') to.add(m.email);
    if (token.ownerServiceAccountId) {
      const sa = await tx.serviceAccounts.findInOrg(orgId, token.ownerServiceAccountId);
      if (sa?.contactEmail) to.add(sa.contactEmail);
    }
    if (token.ownerUserId) {
      const user = await tx.users.findById(token.ownerUserId);
      if (user) to.add(user.email);
    }
    return [...to];
  }

  /** First use from a new origin or address: the known sources the usage flush added. */
  async function sources(now: Date): Promise<number> {
    const at = now.toISOString();
    return store.transaction(async (tx) => {
      const rows = await tx.notices.unannouncedSources(BATCH);
      const outbox = new Outbox(tx);
      let queued = 0;
      for (const r of rows) {
        if (!(await tx.notices.announceSource(r.tokenId, r.kind, r.value, at))) continue;
        const found = await tokenData(tx, r.tokenId);
        if (!found) continue;
        const org = await orgRef(tx, r.orgId);
        const data =
          r.kind === 'origin'
            ? { token: found.snapshot, origin: r.value, firstSeen: r.firstSeen }
            : { token: found.snapshot, address: r.value, firstSeen: r.firstSeen };
        await outbox.add(org.id, [event(`token.first_used_${r.kind}`, org, at, data)]);
        queued += 1;
      }
      return queued;
    });
  }

  async function limitWindows(now: Date): Promise<number> {
    if (limits.size === 0) return 0;
    const pending = [...limits];
    limits.clear();
    for (const [key, n] of pending) swept.set(key, n.endsAt);
    for (const [key, endsAt] of swept) if (endsAt <= now.getTime()) swept.delete(key);
    // Bounded by forgetting the oldest: a forgotten window is only claimed again, and the store says no.
    for (const key of swept.keys()) {
      if (swept.size <= MAX_PENDING_LIMITS) break;
      swept.delete(key);
    }
    const at = now.toISOString();
    return store.transaction(async (tx) => {
      const outbox = new Outbox(tx);
      let queued = 0;
      for (const [key, n] of pending) {
        if (!(await tx.notices.claimLimitWindow(n.tokenId, key.slice(key.indexOf('|') + 1), at))) continue;
        const found = await tokenData(tx, n.tokenId);
        if (!found) continue;
        await outbox.add(n.orgId, [
          event(n.type, await orgRef(tx, n.orgId), at, { token: found.snapshot, ...n.data }),
        ]);
        queued += 1;
      }
      await tx.notices.pruneLimitWindows(new Date(now.getTime() - LIMIT_NOTICE_RETENTION_MS).toISOString());
      return queued;
    });
  }

  return {
    noteLimit(orgId, tokenId, code, info) {
      if (limits.size >= MAX_PENDING_LIMITS) return;
      const ends =
        code === 'rate_limited'
          ? (info as RateLimitInfo | undefined)?.resetAt
          : (info as QuotaInfo | undefined)?.refillAt;
      const windowKey =
        code === 'rate_limited'
          ? `rate:${(info as RateLimitInfo | undefined)?.name ?? ''}:${(info as RateLimitInfo | undefined)?.resetAt ?? ''}`
          : `quota:${(info as QuotaInfo | undefined)?.refillAt ?? 'never'}`;
      const key = `${tokenId}|${windowKey}`;
      if (limits.has(key) || swept.has(key)) return;
      limits.set(key, {
        endsAt: ends ? Date.parse(ends) : clock.now().getTime() + DAY_MS,
        orgId,
        tokenId,
        type: code === 'rate_limited' ? 'token.rate_limited' : 'token.quota_exhausted',
        data: code === 'rate_limited' ? { window: info ?? null } : { quota: info ?? null },
      });
    },
    async sweep(expiry = true) {
      const now = clock.now();
      let queued = 0;
      for (const step of expiry
        ? [expiries, sources, limitWindows, pruneDeliveryLog]
        : [sources, limitWindows]) {
        try {
          queued += await step(now);
        } catch (err) {
          opts.onError(err);
        }
      }
      return queued;
    },
  };
}
