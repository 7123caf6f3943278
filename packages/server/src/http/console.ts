import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import helmet, { type HelmetOptions } from 'helmet';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from './route-context.js';

/** Where the built console lives: LATCHKEY_CONSOLE_DIR (config), else the console workspace's dist/. */
export function consoleDir(configured?: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return configured ?? resolve(here, '../../../console/dist');
}

/**
 * The security headers of every HTML page Latchkey serves (the console and /docs): one policy, so the
 * interactive API docs are no weaker than the console.
 *
 * `upgrade-insecure-requests` and HSTS only when the public URL is https (`secure`): on an http://
 * deployment reached by a non-loopback name, the upgrade turns every same-origin script into an https
 * request nobody answers and the page stays blank; HSTS over http is ignored by browsers anyway, and
 * behind a TLS proxy the public URL says https. Swagger UI (@fastify/swagger-ui 5+) needs no inline
 * script; its logo is a data: image, and its validator badge is turned off where it is registered.
 */
export function securityHeaders(secure: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Mantine sets inline style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: secure ? [] : null,
      },
    },
    // helmet's default HSTS (one year, subdomains) on https; none on http.
    ...(secure ? {} : { hsts: false }),
    crossOriginEmbedderPolicy: false,
  };
}

/**
 * The same headers as a plain map, computed once by running helmet with that policy: for pages served
 * outside the console's scope (the API docs), where a hook sets them without a helmet scope of their own.
 */
export function securityHeaderMap(secure: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  helmet(securityHeaders(secure) as HelmetOptions)({ headers: {} } as never, res as never, () => undefined);
  return headers;
}

/**
 * Files in assets/ are named by their content hash (the build puts nothing else there): a new build gives
 * them new names, so a browser may keep them for a year without asking. Everything else (index.html, which
 * names the current assets, and the favicon) is checked with the server on every load, so a new release is
 * seen at once. `file` is relative to the console's directory.
 */
export function cacheControlFor(file: string): string {
  return /^assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * Serves the console (a single-page app) at `/`, with security headers, in its own scope so the API and
 * the verify hot path are untouched. Unknown non-API GETs get index.html so client routes deep-link.
 */
export async function registerConsole(
  app: App,
  options: { secure: boolean; dir?: string },
): Promise<{ available: boolean }> {
  const root = consoleDir(options.dir);
  const available = existsSync(join(root, 'index.html'));
  await app.register(async (scope) => {
    await scope.register(fastifyHelmet, securityHeaders(options.secure));
    if (available) {
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        wildcard: false,
        index: ['index.html'],
        // The build writes .br and .gz beside each file (packages/console/vite.config.ts).
        preCompressed: true,
        setHeaders: (reply, path) =>
          void reply.header('cache-control', cacheControlFor(relative(root, path))),
      });
      const spa = (_req: unknown, reply: { sendFile(f: string): unknown }) => reply.sendFile('index.html');
      for (const path of ['/login', '/setup', '/accept-invite', '/reset-password', '/orgs/*'])
        scope.get(path, { schema: { hide: true } }, spa as never);
    } else {
      scope.get('/', { schema: { hide: true } }, async (_req, reply) =>
        reply
          .type('text/html')
          .send(
            '<!doctype html><title>Latchkey</title><p>The console is not built. Run <code>npm run build</code>, then restart.</p><p>API docs: <a href="/docs">/docs</a></p>',
          ),
      );
    }
  });
  return { available };
}
