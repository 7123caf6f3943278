import fastJsonStringify from 'fast-json-stringify';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import {
  rateLimitHeaders,
  secondsUntil,
  VERIFY_CODES,
  VERIFY_WARNINGS,
  type VerifyCode,
} from '@latchkey/protocol';
import { IDENTITY, identityOf, type VerifyIdentity, type VerifyResult } from '../verify/verifier.js';
import { Nullable, StringEnum, TokenType } from './schemas.js';

/**
 * What `POST /api/v1/verify` takes and answers, shared by its Fastify route (routes/verify.ts) and the hot
 * entry in front of Fastify (hot-handler.ts), so both check the same schema and write the same bytes.
 */
export const VerifyBody = Type.Object(
  {
    // Generous bound: over-long values get the token_invalid decision, not a schema error.
    token: Type.String({ maxLength: 65_536 }),
    origin: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    permission: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}:(view|edit)$', maxLength: 70 })),
    ip: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 64,
          pattern: '^[0-9A-Fa-f:.]+$',
          description:
            'The address of the client that presented the token, for tokens with an IP allowlist (IPv4, IPv6 or IPv4-mapped IPv6). Without it such a token is refused (ip_not_allowed), or warned about in report-only mode.',
        }),
      ),
    ),
    cost: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000,
        description:
          "Credits this verification spends from the token's quota (default 1; 0 checks the balance without spending). Ignored for tokens without a quota.",
      }),
    ),
  },
  { additionalProperties: false },
);

const RateLimitAnswer = Type.Object(
  {
    name: Type.String(),
    limit: Type.Integer(),
    remaining: Type.Integer(),
    resetAt: Type.String({ format: 'date-time' }),
  },
  {
    description:
      'For a token with rate limits: its tightest window after this verification, or the window that refused it (docs/verification.md)',
  },
);
const QuotaAnswer = Type.Object(
  {
    limit: Type.Integer(),
    remaining: Type.Integer(),
    refillAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { description: 'For a token with a quota: the credits left after this verification' },
);

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  // An enum in the document only: the serializer compiled from it is the plain string's (schemas.ts StringEnum).
  code: StringEnum(Object.keys(VERIFY_CODES) as VerifyCode[], {
    description: 'The decision; see docs/api.md',
  }),
  org: Nullable(Type.Object({ id: Type.String(), slug: Type.String() })),
  tokenId: Nullable(Type.String()),
  owner: Nullable(
    Type.Object({
      // As `code`: an enum in the document, the plain string's serializer (the verify bytes do not change).
      type: StringEnum(['service_account', 'user']),
      id: Type.String(),
      name: Type.String(),
    }),
  ),
  type: Nullable(TokenType),
  permissions: Type.Array(Type.String()),
  secret: Nullable(
    StringEnum(['current', 'previous'], {
      description:
        "Which of the token's values was sent: its current one, or the one before a rotation, still in its overlap (docs/lifecycle.md)",
    }),
  ),
  warnings: Type.Optional(
    Type.Array(StringEnum([...VERIFY_WARNINGS]), {
      description:
        'On a valid answer for a token whose allowlists are report-only: the refusals enforcing them would have made (docs/verification.md)',
    }),
  ),
  rateLimit: Type.Optional(RateLimitAnswer),
  quota: Type.Optional(QuotaAnswer),
});

export const UNAUTHENTICATED_MESSAGE =
  'This deployment requires the x-latchkey-verify-secret header on /api/v1/verify.';
/** The 429's message; `retryAfterSeconds` is also its Retry-After (the failure limit's window, from config). */
export const rateLimitedMessage = (retryAfterSeconds: number) =>
  `Too many invalid tokens from this address; only known tokens are checked for now. Retry in ${retryAfterSeconds} s.`;

/** The compiled check Fastify's TypeBox validator runs on the body (no coercion for bodies). */
export const verifyBodyCheck = Compile(VerifyBody);

/** The serializer Fastify compiles from the 200 schema: same schema, same library, same bytes. */
const serializeAnswer = fastJsonStringify(VerifyResponse as object);

/** The answer body for a decision, in the route's shape. */
export function verifyAnswerObject(r: VerifyResult) {
  const id = identityOf(r);
  const valid = r.valid && id !== undefined;
  return {
    valid: r.valid,
    code: r.code,
    org: valid ? id.org : null,
    tokenId: valid ? id.tokenId : null,
    owner: valid ? id.owner : null,
    type: valid ? id.type : null,
    permissions: valid ? id.permissions : [],
    secret: r.valid ? r.secret : null,
    ...(r.valid && r.warnings ? { warnings: [...r.warnings] } : {}),
    ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}),
    ...(r.quota ? { quota: r.quota } : {}),
  };
}

// A denial's answer depends only on its code, a valid answer only on the token's identity (the origin is
// not in it): both are serialised once and written as is from then on. The identity is one object per
// cached token, so the WeakMap lives exactly as long as the cache keeps the token. Strings, not Buffers:
// Node writes a string body in one write with the headers (a Buffer body costs a separate writev chunk).
//
// A valid answer is kept as the text before its token id, the id, and the text after it. Only the id is the
// token's own: the rest is the same for every token of one owner and role (the permission list is most of
// its ~700 bytes), so it is kept once for all of them. A million cached tokens each holding their whole
// answer held ~750 MB of copies (bench/cache-memory.mjs).
export interface PreparedAnswer {
  head: string;
  middle: string;
  tail: string;
  /** Its Content-Length (bytes, not characters). */
  length: string;
  bytes: number;
}
/** The answer's bytes: three pieces joined as the answer is written (the same text the serializer made). */
export const answerBody = (a: PreparedAnswer): string => a.head + a.middle + a.tail;

const denials = new Map<VerifyCode, PreparedAnswer>();
const valids = new WeakMap<VerifyIdentity, PreparedAnswer>();

/** Texts many answers share, kept once (bounded: past the bound it starts again; only sharing is lost). */
const sharedTexts = new Map<string, string>();
function sharedText(text: string): string {
  const known = sharedTexts.get(text);
  if (known !== undefined) return known;
  if (sharedTexts.size >= 10_000) sharedTexts.clear();
  // A copy, not the slice itself: a slice keeps the whole answer it was cut from alive. (Through JSON, so
  // every code unit survives as it is.)
  const own = JSON.parse(JSON.stringify(text)) as string;
  sharedTexts.set(own, own);
  return own;
}
const lengths: string[] = [];
const lengthText = (bytes: number) => (bytes < 65_536 ? (lengths[bytes] ??= String(bytes)) : String(bytes));

/** An answer made for one request (a denial's, a report-only warning's): whole, nothing shared. */
function answerOnce(r: VerifyResult): PreparedAnswer {
  const body = serializeAnswer(verifyAnswerObject(r));
  const bytes = Buffer.byteLength(body);
  return { head: body, middle: '', tail: '', length: lengthText(bytes), bytes };
}

/**
 * A token's valid answer, kept while the cache keeps the token: split around its id, the texts on either side
 * shared. Only these are shared — an answer built per request (its limits' state, its warnings) would fill the
 * table with texts used once.
 */
function answerKept(r: VerifyResult): PreparedAnswer {
  const whole = answerOnce(r);
  const tokenId = identityOf(r)?.tokenId;
  // Split around the id where the serializer wrote it plainly (ids are ASCII without escapes; else whole).
  const marker = tokenId === undefined ? '' : `,"tokenId":"${tokenId}",`;
  const at = marker === '' || JSON.stringify(tokenId) !== `"${tokenId}"` ? -1 : whole.head.indexOf(marker);
  if (tokenId === undefined || at < 0) return whole;
  const cut = at + ',"tokenId":"'.length;
  return {
    ...whole,
    head: sharedText(whole.head.slice(0, cut)),
    middle: tokenId,
    tail: sharedText(whole.head.slice(cut + tokenId.length)),
  };
}

/**
 * `,"rateLimit":{…}` and `,"quota":{…}` exactly as the serializer writes them: they are the schema's last
 * properties, so a limited answer is its token's (or its code's) prepared answer with these before the
 * closing brace — no serialisation per request. Window names are `[a-z0-9_-]` and times ISO 8601, so the
 * text is ASCII and needs no escaping (test/http/hot-path-parity.test.ts compares the bytes).
 */
function limitSuffix(r: VerifyResult): string {
  let out = '';
  const w = r.rateLimit;
  if (w)
    out += `,"rateLimit":{"name":"${w.name}","limit":${w.limit},"remaining":${w.remaining},"resetAt":"${w.resetAt}"}`;
  const q = r.quota;
  if (q)
    out += `,"quota":{"limit":${q.limit},"remaining":${q.remaining},"refillAt":${q.refillAt === null ? 'null' : `"${q.refillAt}"`}}`;
  return out;
}

function withLimits(base: PreparedAnswer, r: VerifyResult): PreparedAnswer {
  const suffix = limitSuffix(r);
  const bytes = base.bytes + suffix.length;
  const head = `${answerBody(base).slice(0, -1)}${suffix}}`;
  return { head, middle: '', tail: '', length: String(bytes), bytes };
}

/** The 200 answer for a decision, ready to write. */
export function verifyAnswer(r: VerifyResult): PreparedAnswer {
  const limited = r.rateLimit !== undefined || r.quota !== undefined;
  if (!r.valid) {
    let answer = denials.get(r.code);
    // The prepared denial is the one without limits: made from the code alone.
    if (!answer) denials.set(r.code, (answer = answerOnce({ valid: false, code: r.code })));
    return limited ? withLimits(answer, r) : answer;
  }
  const id = identityOf(r);
  // A report-only warning depends on the request, not only on the token: built for this answer.
  if (id === undefined || r.warnings) return answerOnce(r);
  let answer = valids.get(id);
  if (!answer) {
    // The token's answer without its limits' state (the result's own identity carried over).
    const { rateLimit: _w, quota: _q, ...plain } = r;
    valids.set(
      id,
      (answer = answerKept(Object.defineProperty(plain, IDENTITY, { value: id }) as VerifyResult)),
    );
  }
  return limited ? withLimits(answer, r) : answer;
}

/**
 * Forward-auth's headers for a token's limits, as name/value pairs (both entry points write them in this
 * order, before X-Latchkey-Code): the IETF draft RateLimit-* headers for its tightest or refusing window,
 * X-Latchkey-Quota-Remaining, and on a refusal Retry-After — until the window ends, or until the quota's
 * next refill (none when it never refills).
 */
export function limitHeaders(r: VerifyResult, nowMs: number): string[] {
  const out: string[] = [];
  if (r.rateLimit) for (const [name, value] of rateLimitHeaders(r.rateLimit, nowMs)) out.push(name, value);
  if (r.quota) out.push('x-latchkey-quota-remaining', String(r.quota.remaining));
  if (!r.valid) {
    const until =
      r.code === 'rate_limited'
        ? r.rateLimit?.resetAt
        : r.code === 'quota_exhausted'
          ? r.quota?.refillAt
          : null;
    if (until) out.push('retry-after', String(Math.max(1, secondsUntil(until, nowMs))));
  }
  return out;
}
