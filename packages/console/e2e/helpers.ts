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
