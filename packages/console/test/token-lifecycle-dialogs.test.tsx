// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Token } from '../src/api/types';
import { EditTokenModal } from '../src/pages/tokens/edit-token-modal';
import { ReportLeakDialog } from '../src/pages/tokens/report-leak-dialog';
import { RotateDialog } from '../src/pages/tokens/rotate-dialog';
import { fakeApi, renderWith } from './dom';

function token(over: Partial<Token> = {}): Token {
  return {
    id: 'tok_1',
    name: 'billing sync',
    type: 'private',
    hint: 'lk_prv_ab…yz',
    value: null,
    owner: { type: 'service_account', id: 'sa_1', name: 'billing', email: null, deleted: false },
    legacy: false,
    imported: false,
    status: 'active',
    domains: [],
    allowedIps: [],
    enforcement: 'enforce',
    rateLimits: [],
    effectiveRateLimits: [],
    quota: null,
    permissions: null,
    effectivePermissions: ['assets:view'],
    expiresAt: null,
    revokedAt: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    lastUsedAt: null,
    lastUsedOrigin: null,
    usesLast7Days: 0,
    suspendedAt: null,
    compromised: null,
    rotatedAt: null,
    previousSecret: null,
    exposed: null,
    ...over,
  };
}

const ROTATE = 'POST /api/v1/orgs/acme/tokens/tok_1/rotate';

describe('Rotate dialog', () => {
  it('a private token: on first use by default, bounded by a day; the new value is handed on with when the old one retires', async () => {
    const writes = fakeApi({
      [ROTATE]: {
        token: 'lk_prv_NEW',
        item: token({
          previousSecret: {
            hint: 'lk_prv_ab…yz',
            rotatedAt: '2026-12-06T12:00:00.000Z',
            retiresAt: '2026-12-07T12:00:00.000Z',
            retiresOnFirstUse: true,
          },
        }),
      },
    });
    const onRotated = vi.fn();
    renderWith(<RotateDialog org="acme" token={token()} onClose={() => {}} onRotated={onRotated} />);
    expect(
      screen.getByRole('radio', { name: /On first use of the new value \(recommended\)/ }),
    ).toHaveProperty('checked', true);
    await userEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    await waitFor(() => expect(onRotated).toHaveBeenCalled());
    expect(writes).toEqual([
      {
        method: 'POST',
        url: '/api/v1/orgs/acme/tokens/tok_1/rotate',
        body: { retire: 'on_first_use', overlapSeconds: 86_400 },
      },
    ]);
    const revealed = onRotated.mock.calls[0]![0] as { value: string; title: string };
    expect(revealed).toMatchObject({
      value: 'lk_prv_NEW',
      type: 'private',
      title: 'New value for billing sync',
    });
  });

  it('a public token: a chosen time by default; a past time cannot be sent; "now" sends no time', async () => {
    const writes = fakeApi({ [ROTATE]: { token: 'lk_pub_NEW', item: token({ type: 'public' }) } });
    const onRotated = vi.fn();
    renderWith(
      <RotateDialog
        org="acme"
        token={token({ type: 'public', domains: ['https://shop.example.com'] })}
        onClose={() => {}}
        onRotated={onRotated}
      />,
    );
    expect(screen.getByRole('radio', { name: /At a time you choose \(recommended\)/ })).toHaveProperty(
      'checked',
      true,
    );
    fireEvent.change(screen.getByLabelText('Old value stops working at'), {
      target: { value: '2000-01-01T00:00' },
    });
    expect(await screen.findByText(/Choose a time in the future/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Rotate' })).toHaveProperty('disabled', true);
    await userEvent.click(screen.getByRole('radio', { name: 'Now' }));
    await userEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    await waitFor(() => expect(onRotated).toHaveBeenCalled());
    expect(writes.map((w) => w.body)).toEqual([{ retire: 'now' }]);
  });

  it("shows the server's refusal", async () => {
    fakeApi({
      [ROTATE]: {
        status: 409,
        error: { code: 'token_revoked', message: 'A revoked token cannot be rotated.' },
      },
    });
    renderWith(<RotateDialog org="acme" token={token()} onClose={() => {}} onRotated={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/cannot be rotated/);
  });
});

describe('Report leaked dialog', () => {
  const REPORT = 'POST /api/v1/orgs/acme/tokens/tok_1/report-leak';

  it('reports where and why, then creates the replacement from the answer in one click', async () => {
    const writes = fakeApi({
      [REPORT]: {
        item: token({ status: 'revoked' }),
        replacement: {
          name: 'billing sync',
          serviceAccountId: 'sa_1',
          type: 'private',
          domains: [],
          allowedIps: ['203.0.113.0/24'],
          enforcement: 'report_only',
          rateLimits: [{ name: 'burst', limit: 50, windowSeconds: 1 }],
          quota: { limit: 1000, refill: { interval: 'month', amount: 1000 } },
          permissions: ['assets:view'],
        },
      },
      'POST /api/v1/orgs/acme/tokens': { token: 'lk_prv_REPLACEMENT', item: token({ id: 'tok_2' }) },
    });
    const onReplaced = vi.fn();
    renderWith(<ReportLeakDialog org="acme" token={token()} onClose={() => {}} onReplaced={onReplaced} />);
    expect(screen.getByText('This revokes the token at once')).toBeTruthy();
    await userEvent.type(
      screen.getByRole('textbox', { name: /Where was it found/ }),
      'https://gist.example.com/x',
    );
    await userEvent.type(screen.getByRole('textbox', { name: /Note/ }), 'in a gist');
    await userEvent.click(screen.getByRole('button', { name: 'Revoke and report leaked' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Create replacement' }));
    await waitFor(() => expect(onReplaced).toHaveBeenCalled());
    expect(writes.map(({ url, body }) => ({ url, body }))).toEqual([
      {
        url: '/api/v1/orgs/acme/tokens/tok_1/report-leak',
        body: { where: 'https://gist.example.com/x', note: 'in a gist' },
      },
      {
        url: '/api/v1/orgs/acme/tokens',
        body: {
          name: 'billing sync',
          serviceAccountId: 'sa_1',
          type: 'private',
          // The leaked token's restrictions carry over to its replacement.
          allowedIps: ['203.0.113.0/24'],
          enforcement: 'report_only',
          // And its limits.
          rateLimits: [{ name: 'burst', limit: 50, windowSeconds: 1 }],
          quota: { limit: 1000, refill: { interval: 'month', amount: 1000 } },
          permissions: ['assets:view'],
        },
      },
    ]);
    expect(onReplaced.mock.calls[0]![0]).toMatchObject({
      value: 'lk_prv_REPLACEMENT',
      title: 'Replacement for billing sync',
    });
  });

  it('a token owned by a person gets no one-click replacement (a token needs a service account)', async () => {
    fakeApi({
      [REPORT]: {
        item: token({ status: 'revoked' }),
        replacement: {
          name: 'old',
          serviceAccountId: null,
          type: 'private',
          domains: [],
          allowedIps: [],
          enforcement: 'enforce',
          rateLimits: [],
          quota: null,
          permissions: null,
        },
      },
    });
    renderWith(<ReportLeakDialog org="acme" token={token()} onClose={() => {}} onReplaced={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Revoke and report leaked' }));
    expect(await screen.findByText(/create its replacement with Add Token/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Create replacement' })).toBeNull();
  });
});

describe('Edit dialog', () => {
  it("sends only what was changed, so another admin's change meanwhile is not undone", async () => {
    const writes = fakeApi({ 'PATCH /api/v1/orgs/acme/tokens/tok_1': { ...token(), status: 200 } });
    const onClose = vi.fn();
    renderWith(
      <EditTokenModal
        org="acme"
        token={token({ allowedIps: ['203.0.113.0/24'], enforcement: 'report_only' })}
        onClose={onClose}
      />,
    );
    const name = screen.getByRole('textbox', { name: 'Name' });
    await userEvent.clear(name);
    await userEvent.type(name, 'renamed');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes.map(({ method, body }) => ({ method, body }))).toEqual([
      { method: 'PATCH', body: { name: 'renamed' } },
    ]);
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });

  it('adds a rate limit; the untouched quota is not sent again', async () => {
    const writes = fakeApi({ 'PATCH /api/v1/orgs/acme/tokens/tok_1': { ...token(), status: 200 } });
    renderWith(
      <EditTokenModal
        org="acme"
        token={token({
          quota: { limit: 500, refill: null, remaining: 120, refillAt: null },
        })}
        onClose={() => {}}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Add rate limit' }));
    const limit = screen.getByRole('textbox', { name: 'Window 1 limit' });
    await userEvent.clear(limit);
    await userEvent.type(limit, '20');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]!.body).toEqual({ rateLimits: [{ name: 'burst', limit: 20, windowSeconds: 1 }] });
  });

  it('turning the quota off sends quota: null', async () => {
    const writes = fakeApi({ 'PATCH /api/v1/orgs/acme/tokens/tok_1': { ...token(), status: 200 } });
    renderWith(
      <EditTokenModal
        org="acme"
        token={token({
          quota: { limit: 500, refill: { interval: 'day', amount: 100 }, remaining: 120, refillAt: null },
        })}
        onClose={() => {}}
      />,
    );
    expect(screen.getByRole('textbox', { name: 'Refill amount' })).toBeTruthy();
    await userEvent.click(screen.getByRole('switch', { name: /Quota of credits/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]!.body).toEqual({ quota: null });
  });
});
