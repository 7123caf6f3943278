import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { sqliteUsageTransaction, type UsageBatch } from './queries/usage.js';
import type { UsageThreadReply, UsageThreadRequest } from './usage-writer-client.js';

/**
 * The usage writer thread (see usage-writer-client.ts): its own connection to the SQLite file, one
 * transaction per batch, one reply per batch. WAL is already set on the file by the main connection.
 */
const { path, retentionDays } = workerData as { path: string; retentionDays?: number };
const sqlite = new SQLite(path);
sqlite.pragma('synchronous = NORMAL');
sqlite.pragma('foreign_keys = ON');
sqlite.pragma('busy_timeout = 5000');
const write = sqliteUsageTransaction(sqlite, { retentionDays });

parentPort!.on('message', ({ id, batch }: UsageThreadRequest & { batch: UsageBatch }) => {
  let reply: UsageThreadReply;
  try {
    write(batch);
    reply = { id };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
