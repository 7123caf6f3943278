// Shared by the component tests (each sets `// @vitest-environment jsdom`; setup-dom.ts runs before each).
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { cssVariablesResolver, theme } from '../src/theme';

/** Who is signed in, unless a test says otherwise: a person in no org the console can see a role of. */
const ME = {
  kind: 'session',
  user: { id: 'usr_1', email: 'ada@acme.test', name: 'Ada' },
  token: null,
  orgs: [],
  csrfToken: 'csrf',
};

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
    return new Response(JSON.stringify(responses[url] ?? (url === '/api/v1/me' ? ME : { items: [] })), {
      status: 200,
    });
  });
  return writes;
}

/** Renders with the console's own theme (its default props are behaviour too: labels, live errors). */
export function renderWith(ui: React.ReactElement) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <QueryClientProvider client={qc}>{ui}</QueryClientProvider>
    </MantineProvider>,
  );
}
