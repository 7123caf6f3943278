import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { ScannerKey } from '../../config/secret-scanning-keys.js';
import { AppError } from '../../domain/errors.js';
import {
  SCANNER_KEY_ID_HEADER,
  SCANNER_SIGNATURE_HEADER,
  scannerSignatureValid,
} from '../../domain/secret-scanning.js';
import { limitedCredentialCheck } from '../credential-check.js';
import { ErrorBody, SafeString, StringEnum } from '../schemas.js';
import type { App, RouteContext, RouteModule } from '../route-context.js';

/** Most values one report may carry, and its largest body (docs/secret-scanning.md). */
export const MAX_SCAN_BATCH = 1000;
export const MAX_SCAN_BODY_BYTES = 1024 * 1024;

/**
 * The "account" a bad signature counts against in the credential limits (services/credential-limits.ts):
 * one for the whole receiver, so that guessing key ids does not spread the count. `#` keeps it apart from
 * any e-mail address.
 */
const SCANNER_ACCOUNT = '#secret-scanning';

const FoundValue = Type.Object(
  {
    token: SafeString({ maxLength: 1024, description: 'The value found' }),
    type: SafeString({ maxLength: 200, description: "The scanner's name for the pattern that matched" }),
    url: Type.Optional(SafeString({ maxLength: 2048, description: 'Where it was found (may be empty)' })),
    source: Type.Optional(
      SafeString({ maxLength: 100, description: 'Where on the scanner: commit, content, npm, …' }),
    ),
  },
  // A scanner may send more than these four fields: ignored, not refused.
  { additionalProperties: true },
);

const Answer = Type.Object({
  token_hash: Type.String({ description: 'SHA-256 (hex) of the value: the value itself is never sent back' }),
  token_type: Type.String({ description: 'The `type` reported' }),
  label: StringEnum(['true_positive', 'false_positive'] as const, {
    description:
      'true_positive: a value this deployment issued (whatever its state now); false_positive: not one of ours',
  }),
});

const UNSIGNED = `Send the report signed: ${SCANNER_KEY_ID_HEADER} and ${SCANNER_SIGNATURE_HEADER} headers (docs/secret-scanning.md).`;

/** A header sent exactly once; a repeated one is as good as none. */
function single(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The key the report is signed with, after checking the signature over `body` — the raw bytes, before any
 * parsing. Bad signatures count against the per-address and per-receiver credential limits (429 when
 * over them), as a wrong password does.
 */
async function signedBy(ctx: RouteContext, request: FastifyRequest, body: Buffer): Promise<ScannerKey> {
  const keys = ctx.config.secretScanningKeys;
  const keyId = single(request, SCANNER_KEY_ID_HEADER);
  const signature = single(request, SCANNER_SIGNATURE_HEADER);
  if (!keys || keyId === undefined || signature === undefined)
    throw new AppError('unauthenticated', UNSIGNED);
  return limitedCredentialCheck(ctx, { account: SCANNER_ACCOUNT, address: request.ip }, async () => {
    const key = keys.get(keyId);
    if (!key) throw new AppError('invalid_credentials', 'No key with this identifier is configured.');
    if (!scannerSignatureValid(key.key, body, signature))
      throw new AppError('invalid_credentials', 'The signature does not verify.');
    return key;
  });
}

/** The scanner each verified request was signed for, from the body parser to the handler. */
const verifiedScanner = new WeakMap<FastifyRequest, string>();

/**
 * The secret-scanning receiver (docs/secret-scanning.md): GitHub's partner-program format, signed with
 * ECDSA P-256 by a key the deployment configured (LATCHKEY_SECRET_SCANNING_KEYS); 404 without keys. It
 * tells whether a value is a live credential, so nothing about the values is looked at, parsed or
 * answered before the signature over the raw body verifies: the route's own JSON parser (in its own
 * encapsulated scope) checks the signature first.
 */
export const secretScanningRoute: RouteModule = (app, ctx) => {
  void app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: MAX_SCAN_BODY_BYTES },
      (request: FastifyRequest, body: Buffer, done) => {
        void signedBy(ctx, request, body).then(
          (key) => {
            verifiedScanner.set(request, key.scanner);
            void parseJson(request, body.toString('utf8'), (err, value) =>
              err
                ? done(new AppError('validation_failed', 'The request body is not valid JSON.'))
                : done(null, value),
            );
          },
          (err: Error) => done(err),
        );
      },
    );
    (scope as App).post(
      '/api/v1/secret-scanning',
      {
        config: { auth: 'none' },
        bodyLimit: MAX_SCAN_BODY_BYTES,
        onRequest: async () => {
          if (!ctx.config.secretScanningKeys)
            throw new AppError(
              'not_found',
              'Secret scanning is not enabled on this server (LATCHKEY_SECRET_SCANNING_KEYS).',
            );
        },
        schema: {
          tags: ['secret-scanning'],
          summary:
            "Values a secret scanner found published, in GitHub's partner-program format: live private tokens are revoked, public ones marked exposed",
          description:
            'Signed by the scanner: `Github-Public-Key-Identifier` names a configured key, `Github-Public-Key-Signature` is the base64 DER ECDSA P-256 SHA-256 signature of the raw body. Off (404) unless LATCHKEY_SECRET_SCANNING_KEYS is set.',
          security: [],
          body: Type.Array(FoundValue, { maxItems: MAX_SCAN_BATCH }),
          response: {
            200: Type.Array(Answer),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
            413: ErrorBody,
            415: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request) => {
        const scanner = verifiedScanner.get(request);
        // The parser runs for every body this route accepts; without one there is nothing signed.
        if (scanner === undefined) throw new AppError('unauthenticated', UNSIGNED);
        const answers = await ctx.services.secretScanning.report(
          request.body.map((f) => ({ token: f.token, type: f.type, url: f.url ?? '', source: f.source })),
          { scanner, ip: request.ip },
        );
        return answers.map((a) => ({ token_hash: a.hash, token_type: a.type, label: a.label }));
      },
    );
  });
};
