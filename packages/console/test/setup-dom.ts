// The console project's setup file: Vitest runs it before every test file, so each file gets these hooks
// even though the files of a worker share one module graph (a hook registered by a shared module's top
// level would only reach the first file).
import { cleanup } from '@testing-library/react';
import { afterEach, beforeAll, vi } from 'vitest';

// The console's plain tests (no `@vitest-environment jsdom`) have no DOM to set up.
const hasDom = typeof window !== 'undefined';

beforeAll(() => {
  if (!hasDom) return;
  // jsdom lacks these browser APIs that Mantine uses.
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener() {},
    removeListener() {},
    addEventListener() {},
    removeEventListener() {},
    dispatchEvent: () => false,
  })) as typeof window.matchMedia;
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollIntoView ??= () => {};
  if (!('fonts' in document))
    Object.defineProperty(document, 'fonts', {
      value: { addEventListener() {}, removeEventListener() {}, ready: Promise.resolve() },
    });
});
afterEach(() => {
  if (hasDom) cleanup();
  vi.unstubAllGlobals();
});
