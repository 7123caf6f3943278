import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheStats } from './cache.js';
import type { VerifyResult } from './verifier.js';

/**
 * Prometheus metrics. Labels are the decision code and, for decisions about a known token, its org's id:
 * never a token, hash or origin, so no secret reaches a metrics backend, and the series grow with the
 * orgs (times a fixed set of codes), not with the tokens.
 */
export interface MetricsOptions {
  /**
   * Renders the exposition instead of this registry alone: a `serve --workers` worker asks its primary
   * for every worker's metrics, aggregated (prom-client's AggregatorRegistry).
   */
  exposition?: () => Promise<string>;
}

export function createMetrics(cacheStats: () => CacheStats, opts: MetricsOptions = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Counted in a plain map on the hot path and handed to prom-client when metrics are read: a labelled
  // inc() hashes and validates its labels on every call, which cost more than a cached verification.
  const counts = new Map<string, number>();
  const reported = new Map<string, number>();
  const verifications = new Counter({
    name: 'latchkey_verifications_total',
    help: 'Token verifications by decision code',
    labelNames: ['code'] as const,
    registers: [registry],
    collect() {
      for (const [code, n] of counts) verifications.labels({ code }).inc(n - (reported.get(code) ?? 0));
      for (const [code, n] of counts) reported.set(code, n);
    },
  });
  // Per org: org id → code → count, nested so that counting allocates nothing per request.
  const byOrg = new Map<string, Map<string, number>>();
  const reportedByOrg = new Map<string, Map<string, number>>();
  const orgVerifications = new Counter({
    name: 'latchkey_org_verifications_total',
    help: 'Verifications of known tokens by org id and decision code (unknown tokens have no org: see latchkey_verifications_total)',
    labelNames: ['org', 'code'] as const,
    registers: [registry],
    collect() {
      for (const [org, codes] of byOrg) {
        let seen = reportedByOrg.get(org);
        if (!seen) reportedByOrg.set(org, (seen = new Map()));
        for (const [code, n] of codes) {
          orgVerifications.labels({ org, code }).inc(n - (seen.get(code) ?? 0));
          seen.set(code, n);
        }
      }
    },
  });
  const latency = new Histogram({
    name: 'latchkey_verify_duration_seconds',
    help: 'Time to decide one verification (lookup included), sampled on one call in 16',
    buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    registers: [registry],
  });
  new Gauge({
    name: 'latchkey_verify_cache_hit_ratio',
    help: 'Share of lookups answered from the cache (positive or negative) since start',
    registers: [registry],
    // Across the workers of one `serve --workers`: their mean, not their sum.
    aggregator: 'average',
    collect() {
      const s = cacheStats();
      const total = s.hits + s.negativeHits + s.misses;
      this.set(total === 0 ? 0 : (s.hits + s.negativeHits) / total);
    },
  });
  new Gauge({
    name: 'latchkey_verify_cache_entries',
    help: 'Entries in the verification cache',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const s = cacheStats();
      this.set({ kind: 'known' }, s.size);
      this.set({ kind: 'unknown' }, s.negativeSize);
    },
  });
  const dbLookups = new Gauge({
    name: 'latchkey_verify_database_lookups',
    help: 'Verification lookups that reached the database since start',
    registers: [registry],
    collect() {
      dbLookups.set(cacheStats().lookups);
    },
  });

  return {
    registry,
    /** The text /metrics answers with (content type: registry.contentType). */
    render: opts.exposition ?? (() => registry.metrics()),
    observe(result: VerifyResult, seconds: number | null) {
      counts.set(result.code, (counts.get(result.code) ?? 0) + 1);
      const org = result.valid ? result.org.id : result.identity?.org.id;
      if (org !== undefined) {
        let codes = byOrg.get(org);
        if (!codes) byOrg.set(org, (codes = new Map()));
        codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
      }
      if (seconds !== null) latency.observe(seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
