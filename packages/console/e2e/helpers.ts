import { expect, request, type Page } from '@playwright/test';
import { resolve } from 'node:path';

export const OWNER = { email: 'ada@acme.test', password: 'correct horse battery staple', name: 'Ada Owner' };
export const ORG = { name: 'Acme Shop', slug: 'acme' };
export const SCREENSHOTS = resolve(import.meta.dirname, '../../../docs/screenshots');

export const baseUrl = () => process.env.LATCHKEY_URL!;

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: false });
}

/** An API client signed in as the owner (cookies and CSRF), for the steps a test does "through the API". */
export async function ownerApi(base = baseUrl()) {
  const ctx = await request.newContext({ baseURL: base });
  const login = await ctx.post('/api/v1/auth/login', {
    data: { email: OWNER.email, password: OWNER.password },
  });
  expect(login.status()).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { 'x-csrf-token': csrfToken };
  return {
    ctx,
    csrfToken,
    async post<T>(path: string, data: unknown): Promise<T> {
      const res = await ctx.post(`/api/v1${path}`, { data, headers });
      expect(res.status(), await res.text()).toBeLessThan(300);
      return (await res.json()) as T;
    },
    async get<T>(path: string): Promise<T> {
      const res = await ctx.get(`/api/v1${path}`);
      expect(res.status()).toBe(200);
      return (await res.json()) as T;
    },
  };
}

export async function signIn(page: Page, base = baseUrl()): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(OWNER.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible();
}

/**
 * Adds a member to the owner's org as the API has it: invite, create the account, sign in, accept with the
 * session. Answers the member's user id.
 */
export async function addMember(
  api: Awaited<ReturnType<typeof ownerApi>>,
  base: string,
  person: { email: string; password: string; name: string },
  roleName: string,
): Promise<string> {
  const roles = await api.get<{ items: { id: string; name: string }[] }>(`/orgs/${ORG.slug}/roles`);
  const invite = await api.post<{ token: string }>(`/orgs/${ORG.slug}/invitations`, {
    email: person.email,
    roleId: roles.items.find((r) => r.name === roleName)!.id,
  });
  const invitee = await request.newContext({ baseURL: base });
  const created = await invitee.post('/api/v1/invitations/accept', {
    data: { token: invite.token, name: person.name, password: person.password },
  });
  expect(created.status(), await created.text()).toBe(202);
  const login = await invitee.post('/api/v1/auth/login', {
    data: { email: person.email, password: person.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const joined = await invitee.post('/api/v1/invitations/accept', {
    data: { token: invite.token },
    headers: { 'x-csrf-token': csrfToken },
  });
  expect(joined.status(), await joined.text()).toBe(200);
  await invitee.dispose();
  const members = await api.get<{ items: { userId: string; email: string }[] }>(`/orgs/${ORG.slug}/members`);
  return members.items.find((m) => m.email === person.email)!.userId;
}

/**
 * A button among the page's own actions, upper right (an empty list may offer the same one under its
 * sentence).
 */
export const pageAction = (page: Page, name: string) =>
  page.getByTestId('page-actions').getByRole('button', { name });
