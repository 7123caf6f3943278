import type { ApiPath } from './path';

/**
 * The console's only way to the server: same-origin fetch with the session cookie, the CSRF token on
 * writes, and the API's error envelope turned into an ApiError. The CSRF token lives in memory only —
 * never localStorage, never the URL.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** `path` is built with `apiPath` (every value encoded as one segment), never by string concatenation. */
export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: ApiPath, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? 'internal_error', err?.message ?? `Request failed (${res.status})`, err?.details);
  }
  return json as T;
}

/** The message to show a person for any failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
