// Shared by the component tests (each sets `// @vitest-environment jsdom`; setup-dom.ts runs before each).
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { vi } from 'vitest';

/** A fetch that answers the console's GETs and records its writes. */
export function fakeApi(responses: Record<string, unknown>) {
  const writes: { method: string; url: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    if (method !== 'GET') {
      writes.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      const reply = responses[`${method} ${url}`] ?? {};
      const status = (reply as { status?: number }).status ?? 201;
      return new Response(JSON.stringify(reply), { status });
    }
    return new Response(JSON.stringify(responses[url] ?? { items: [] }), { status: 200 });
  });
  return writes;
}

export function renderWith(ui: React.ReactElement) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={qc}>{ui}</QueryClientProvider>
    </MantineProvider>,
  );
}
