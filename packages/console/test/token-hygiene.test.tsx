// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ReportRow } from '../src/api/types';
import { BulkActionDialog } from '../src/pages/tokens/hygiene/bulk-action-dialog';
import { NewValuesDialog } from '../src/pages/tokens/hygiene/new-values-dialog';
import { refusalText, rowsWith, tokensText } from '../src/pages/tokens/hygiene/reasons';
import { expiryError } from '../src/validation/forms';
import { fakeApi, renderWith } from './dom';

function row(over: Partial<ReportRow> = {}): ReportRow {
  return {
    id: 'tok_1',
    name: 'billing sync',
    type: 'private',
    hint: 'lk_prv_ab…yz',
    owner: { type: 'service_account', id: 'sa_1', name: 'web-shop' },
    suspended: false,
    domains: [],
    createdAt: '2026-12-01T00:00:00.000Z',
    lastUsedAt: null,
    rotatedAt: null,
    expiresAt: null,
    findings: [{ reason: 'no_expiry', action: 'set_expiry' }],
    action: 'set_expiry',
    ...over,
  };
}
const widget = row({
  id: 'tok_2',
  name: 'old widget',
  type: 'public',
  owner: { type: 'user', id: 'usr_1', name: 'ada@acme.test' },
  domains: ['http://shop.example.com', 'https://www.example.com'],
  findings: [
    { reason: 'user_owned', action: 'reassign' },
    { reason: 'http_origin', action: 'use_https' },
  ],
  action: 'reassign',
});
const BULK = 'POST /api/v1/orgs/acme/tokens/bulk';

describe('hygiene rules', () => {
  it('a reason filters the rows; none shows them all', () => {
    expect(rowsWith([row(), widget], 'http_origin')).toEqual([widget]);
    expect(rowsWith([row(), widget], null)).toHaveLength(2);
    expect(tokensText(1)).toBe('1 token');
    expect(tokensText(3)).toBe('3 tokens');
  });

  it('a refusal names the token by its name instead of the id the API puts first', () => {
    const message = 'tok_2: A revoked token cannot be changed. Nothing was changed.';
    expect(refusalText(message, { id: 'tok_2' }, [row(), widget])).toBe(
      'old widget: A revoked token cannot be changed. Nothing was changed.',
    );
    // Not one of the rows, or no id: the server's words as they are.
    expect(refusalText(message, { id: 'tok_9' }, [row()])).toBe(message);
    expect(refusalText('Too many.', undefined, [row()])).toBe('Too many.');
  });

  it('a new expiry is required and in the future', () => {
    const now = new Date('2026-12-06T12:00:00');
    expect(expiryError('', now)).toBe('Choose when it expires.');
    expect(expiryError('2026-12-01T00:00', now)).toBe('The expiry must be in the future.');
    expect(expiryError('2027-01-01T00:00', now)).toBeNull();
  });
});

describe('Bulk action dialog', () => {
  it('rotate: says how many, retires on first use (bounded by a day) by default, and hands on the answer', async () => {
    const answer = { action: 'rotate', items: [{ id: 'tok_1', token: 'lk_prv_NEW' }] };
    const writes = fakeApi({ [BULK]: answer });
    const onDone = vi.fn();
    renderWith(
      <BulkActionDialog org="acme" action="rotate" rows={[row()]} onClose={() => {}} onDone={onDone} />,
    );
    expect(screen.getByRole('dialog', { name: 'Rotate 1 token' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: /On first use of the new value/ })).toHaveProperty(
      'checked',
      true,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Rotate 1 token' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(answer));
    expect(writes).toEqual([
      {
        method: 'POST',
        url: '/api/v1/orgs/acme/tokens/bulk',
        body: { action: 'rotate', ids: ['tok_1'], retire: 'on_first_use', overlapSeconds: 86_400 },
      },
    ]);
  });

  it('rotate warns when public tokens would retire on first use', () => {
    fakeApi({});
    renderWith(
      <BulkActionDialog
        org="acme"
        action="rotate"
        rows={[row(), widget]}
        onClose={() => {}}
        onDone={() => {}}
      />,
    );
    expect(screen.getByRole('note').textContent).toMatch(/1 token of these is public/);
  });

  it('use https lists the origins that change, and sends only the ids', async () => {
    const writes = fakeApi({ [BULK]: { action: 'use_https', items: [{ id: 'tok_2', token: null }] } });
    renderWith(
      <BulkActionDialog org="acme" action="use_https" rows={[widget]} onClose={() => {}} onDone={() => {}} />,
    );
    const list = screen.getByRole('list', { name: 'Origins that change' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['old widget: http://shop.example.com → https://shop.example.com']);
    await userEvent.click(screen.getByRole('button', { name: 'Switch 1 token' }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]!.body).toEqual({ action: 'use_https', ids: ['tok_2'] });
  });

  it('set expiry cannot be sent without a future time', async () => {
    fakeApi({});
    renderWith(
      <BulkActionDialog org="acme" action="set_expiry" rows={[row()]} onClose={() => {}} onDone={() => {}} />,
    );
    const input = screen.getByLabelText('Expires at');
    await userEvent.clear(input);
    expect(await screen.findByText('Choose when it expires.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Set expiry on 1 token' })).toHaveProperty('disabled', true);
  });

  it('reassign waits for a service account and keeps permissions by default', () => {
    fakeApi({});
    renderWith(
      <BulkActionDialog org="acme" action="reassign" rows={[widget]} onClose={() => {}} onDone={() => {}} />,
    );
    expect(screen.getByRole('radio', { name: /Keep what each token can do now/ })).toHaveProperty(
      'checked',
      true,
    );
    expect(screen.getByRole('button', { name: 'Reassign 1 token' })).toHaveProperty('disabled', true);
  });

  it("shows the server's refusal naming the token, and stays open", async () => {
    fakeApi({
      [BULK]: {
        status: 409,
        error: {
          code: 'token_revoked',
          message: 'tok_2: A revoked token cannot be changed. Nothing was changed.',
          details: { id: 'tok_2' },
        },
      },
    });
    const onDone = vi.fn();
    renderWith(
      <BulkActionDialog
        org="acme"
        action="revoke"
        rows={[row(), widget]}
        onClose={() => {}}
        onDone={onDone}
      />,
    );
    expect(screen.getByText(/This revokes 2 tokens: they stop working/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Revoke 2 tokens' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'old widget: A revoked token cannot be changed. Nothing was changed.',
    );
    expect(onDone).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog', { name: 'Revoke 2 tokens?' })).toBeTruthy();
  });
});

describe('New values dialog', () => {
  it('lists each token with its new value and a copy button, warning they are shown once', () => {
    renderWith(
      <NewValuesDialog
        values={[
          { id: 'tok_1', name: 'billing sync', type: 'private', value: 'lk_prv_ONE' },
          { id: 'tok_3', name: 'reports api', type: 'private', value: 'lk_prv_TWO' },
        ]}
        onClose={() => {}}
      />,
    );
    expect(screen.getByRole('dialog', { name: 'New values for 2 tokens' }).textContent).toMatch(
      /shown once and will not be shown again/,
    );
    expect(screen.getAllByTestId('new-value').map((c) => c.textContent)).toEqual([
      'lk_prv_ONE',
      'lk_prv_TWO',
    ]);
    expect(screen.getByRole('button', { name: 'Copy the new value of reports api' })).toBeTruthy();
  });
});
