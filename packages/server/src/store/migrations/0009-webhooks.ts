import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Events out (issue 16): webhook endpoints per org, the delivery outbox (one row per event and endpoint,
 * written in the transaction of the change it describes) with its attempts, and what the notices have
 * already said: expiry thresholds, sources a token was first used from, exhausted limit windows. A
 * service account gains a contact address for its expiry notices. New tables and a nullable column only.
 */
export function webhooksMigration(dialect: DialectName): Migration {
  // Timestamps as in 0001: `timestamptz` on PostgreSQL (so they compare with the tokens' own), ISO text on SQLite.
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        /** JSON list of the event types it receives. */
        .addColumn('event_types', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        /** After a rotation, the replaced secret signs too until `previous_secret_expires_at`. */
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_expires_at', ts)
        .addColumn('disabled_at', ts)
        /** `manual` or `failing` (disabled after failing for days on end). */
        .addColumn('disabled_reason', 'text')
        /** The first failed attempt since its last success: null while it is healthy. */
        .addColumn('failing_since', ts)
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('deleted_at', ts)
        .execute();
      await db.schema
        .createIndex('webhook_endpoints_org_idx')
        .on('webhook_endpoints')
        .columns(['org_id'])
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id'))
        /** The event's id: the `webhook-id` header, the same on every attempt (receivers de-duplicate). */
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        /** The exact JSON body sent (signed as is). */
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', ts, (c) => c.notNull())
        /** Claimed by an instance until then (its attempt is in flight). */
        .addColumn('locked_until', ts)
        .addColumn('delivered_at', ts)
        /** Given up on: every attempt of the back-off schedule failed. */
        .addColumn('failed_at', ts)
        .addColumn('last_attempt_at', ts)
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due_idx')
        .on('webhook_deliveries')
        .columns(['next_attempt_at'])
        .where(sql.ref('delivered_at'), 'is', null)
        .where(sql.ref('failed_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_endpoint_idx')
        .on('webhook_deliveries')
        .columns(['endpoint_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id'))
        .addColumn('at', ts, (c) => c.notNull())
        /** The receiver's HTTP status; null when there was no answer (`error` says why). */
        .addColumn('status_code', 'integer')
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
      await db.schema
        .createIndex('webhook_attempts_delivery_idx')
        .on('webhook_attempts')
        .columns(['delivery_id', 'at'])
        .execute();
      await db.schema
        .createTable('token_expiry_notices')
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        /** The expiry it was about: a new expiry starts its notices again. */
        .addColumn('expires_at', ts, (c) => c.notNull())
        /** The threshold in days; 0: the token expired. */
        .addColumn('days', 'integer', (c) => c.notNull())
        .addColumn('sent_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('token_expiry_notices_pk', ['token_id', 'expires_at', 'days'])
        .execute();
      await db.schema
        .createTable('token_known_sources')
        // Text timestamps, like token_usage_sources: the usage flush writes both from the same values.
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('first_seen', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'text', (c) => c.notNull())
        /** When its first-use event was queued; null until the notices have seen it. */
        .addColumn('notified_at', 'text')
        .addPrimaryKeyConstraint('token_known_sources_pk', ['token_id', 'kind', 'value'])
        .execute();
      await db.schema
        .createIndex('token_known_sources_pending_idx')
        .on('token_known_sources')
        .columns(['first_seen'])
        .where(sql.ref('notified_at'), 'is', null)
        .execute();
      await db.schema
        .createTable('token_limit_notices')
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        /** `rate:<window name>:<reset time>` or `quota:<refill time>`: one notice per window. */
        .addColumn('window_key', 'text', (c) => c.notNull())
        .addColumn('sent_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('token_limit_notices_pk', ['token_id', 'window_key'])
        .execute();
      await db.schema.alterTable('service_accounts').addColumn('contact_email', 'text').execute();
      // The expiry notices look tokens up by when they expire.
      await db.schema
        .createIndex('tokens_expires_at_idx')
        .on('tokens')
        .columns(['expires_at'])
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
    },
  };
}
