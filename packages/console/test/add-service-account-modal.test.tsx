// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AddServiceAccountModal } from '../src/pages/members/add-service-account-modal';
import { AddTokenModal } from '../src/pages/tokens/add-token-modal';
import { fakeApi, renderWith } from './dom';

const roles = {
  items: [{ id: 'rol_v', name: 'Viewer', builtin: true, description: null, permissions: ['assets:view'] }],
  catalog: { resources: [], platformResources: [], publicSafe: ['assets:view'] },
};

describe('Add new service account form', () => {
  it('says what is allowed before submit, flags a name with a space as you type, and sends nothing', async () => {
    const writes = fakeApi({ '/api/v1/orgs/acme/roles': roles });
    renderWith(<AddServiceAccountModal org="acme" opened onClose={() => {}} />);
    expect(await screen.findByText(/no spaces or special characters/)).toBeTruthy();
    await userEvent.type(screen.getByRole('textbox', { name: /Name/ }), 'web shop');
    expect(await screen.findByText(/may contain only ASCII letters, digits/)).toBeTruthy();
    // Announced as it appears (issue 17 item 14), not only when the field is focused again.
    expect(screen.getByRole('alert').textContent).toMatch(/may contain only ASCII letters, digits/);
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(writes).toEqual([]);
  });

  it("shows the server's refusal when one comes back", async () => {
    fakeApi({
      '/api/v1/orgs/acme/roles': roles,
      'POST /api/v1/orgs/acme/service-accounts': {
        status: 409,
        error: {
          code: 'name_taken',
          message: 'A service account named "web-shop" already exists in this org.',
        },
      },
    });
    renderWith(<AddServiceAccountModal org="acme" opened onClose={() => {}} />);
    await userEvent.type(screen.getByRole('textbox', { name: /Name/ }), 'web-shop');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/already exists/);
  });
});

describe('Add Token form', () => {
  it('cannot be submitted without a service account, and says why', async () => {
    const writes = fakeApi({
      '/api/v1/orgs/acme/roles': roles,
      '/api/v1/orgs/acme/service-accounts': { items: [] },
    });
    renderWith(<AddTokenModal org="acme" opened onClose={() => {}} onCreated={() => {}} />);
    await userEvent.type(screen.getByRole('textbox', { name: /^Name/ }), 'storefront');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(screen.getByText(/A token must belong to a service account/)).toBeTruthy());
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContainEqual(
      expect.stringMatching(/A token must belong to a service account/),
    );
    expect(writes).toEqual([]);
  });
});
