import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { checkWebhookAddress } from '../domain/webhook-target.js';

/** A new signing secret in Standard Webhooks' form: `whsec_` and 32 random bytes in base64. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The `webhook-signature` header: one `v1,<signature>` per secret, space-separated — during a rotation's
 * overlap both the new and the replaced secret sign, so a receiver still holding the old one verifies.
 */
export function signatureHeader(secrets: readonly string[], id: string, at: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' ');
}

/** How one attempt went: the receiver's status, or why there was none. */
export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  /** `timeout`, `refused_address: …`, `connection: …`; null when the receiver answered. */
  error: string | null;
}

export interface SendOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowInsecure: boolean;
  /** Name resolution (tests give one that answers what they need, e.g. a metadata address). */
  resolve?: typeof dnsLookup;
}

/** Bytes of an answer read before the connection is dropped: the status is all a delivery needs. */
const MAX_ANSWER_BYTES = 64 * 1024;

class RefusedAddress extends Error {}

/**
 * A lookup that refuses, at connection time, any address a webhook may not go to: what the name resolves
 * to *now* is what is checked and what is connected to (no second resolution between the check and the
 * connection for a rebinding name to exploit). Every address of the answer must pass.
 */
function guardedLookup(allowInsecure: boolean, resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as LookupAddress[];
      for (const a of list) {
        // Not which address, nor why: the delivery log must not tell an org admin what internal names
        // resolve to.
        if (!checkWebhookAddress(a.address, allowInsecure).ok)
          return callback(
            new RefusedAddress(`${hostname} resolves to an address webhooks may not reach`),
            '',
            0,
          );
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs one delivery: no redirects followed (a 3xx is a failure, never a hop to somewhere unchecked), the
 * whole attempt bounded by `timeoutMs`, the answer's body read only up to 64 KiB and dropped.
 */
export function sendWebhook(opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: elapsed() });
    };
    const url = new URL(opts.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A literal address is connected to without a lookup: check it here.
    if (isIP(host)) {
      const verdict = checkWebhookAddress(host, opts.allowInsecure);
      if (!verdict.ok) {
        resolve({ statusCode: null, latencyMs: 0, error: `refused_address: ${verdict.reason}` });
        return;
      }
    }
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...opts.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(opts.body),
          'user-agent': 'Latchkey-Webhooks/1',
        },
        lookup: guardedLookup(opts.allowInsecure, opts.resolve ?? dnsLookup),
        // A connection of its own: a pooled socket would skip the lookup, and with it the address check.
        agent: false,
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const finish = () => done({ statusCode: res.statusCode ?? null, error: null });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ statusCode: null, error: 'timeout' });
    }, opts.timeoutMs);
    req.on('error', (err) => {
      const error =
        err instanceof RefusedAddress ? `refused_address: ${err.message}` : `connection: ${err.message}`;
      done({ statusCode: null, error: error.slice(0, 300) });
    });
    req.end(opts.body);
  });
}
