import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Data flows one way (docs/STYLE and README "Project layout"): http → services → store, http → verify →
 * store; domain is imported by all and imports nothing of ours. These read the sources, so a shortcut
 * fails here before review.
 */
const src = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(join(src, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path: relative(src, path), text: readFileSync(path, 'utf8') };
    });
}

/** The modules a file imports at run time (`import type` erased), as paths relative to src/. */
function runtimeImports(file: { path: string; text: string }): string[] {
  const found: string[] = [];
  for (const m of file.text.matchAll(/^import\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm)) {
    if (m[1]) continue;
    found.push(relative(src, join(src, file.path, '..', m[2]!)));
  }
  return found;
}

/** Every module a file imports, types included. */
function allImports(file: { path: string; text: string }): string[] {
  return [...file.text.matchAll(/from\s+'(\.[^']+)'/g)].map((m) =>
    relative(src, join(src, file.path, '..', m[1]!)),
  );
}

describe('layers', () => {
  it('the HTTP layer reaches the database only through services (or the verifier), never the store', () => {
    const offenders: string[] = [];
    for (const file of sources('http')) {
      if (/services\.deps\b/.test(file.text)) offenders.push(`${file.path}: uses services.deps`);
      for (const target of runtimeImports(file)) {
        if (target.startsWith('store/')) offenders.push(`${file.path}: imports ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('routes call services, not the store: no store query, transaction or store import in a route', () => {
    const offenders: string[] = [];
    for (const file of sources('http/routes')) {
      if (/\bstore\./.test(file.text) || /\binTransaction\b/.test(file.text)) offenders.push(file.path);
      if (allImports(file).some((t) => t.startsWith('store/'))) offenders.push(`${file.path} (import)`);
    }
    expect(offenders).toEqual([]);
  });

  it('the store imports only the domain and itself (not verify, services or http)', () => {
    const offenders = sources('store').flatMap((file) =>
      allImports(file)
        .filter((t) => !t.startsWith('store/') && !t.startsWith('domain/'))
        .map((t) => `${file.path}: ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the domain imports nothing of ours outside it', () => {
    const offenders = sources('domain').flatMap((file) =>
      allImports(file)
        .filter((t) => !t.startsWith('domain/'))
        .map((t) => `${file.path}: ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('unique violations are recognised in one place, the store (no driver codes in services)', () => {
    const offenders: string[] = [];
    for (const dir of ['services', 'http', 'verify', 'cli']) {
      for (const file of sources(dir)) {
        if (/SQLITE_CONSTRAINT|'23505'|isUniqueViolation/.test(file.text)) offenders.push(file.path);
      }
    }
    expect(offenders).toEqual([]);
  });
});
