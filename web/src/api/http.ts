// The console's one HTTP client. Every `/api` call goes through `request`, which
// sends the session cookie, adds the CSRF token to state-changing requests and
// turns error bodies into a typed `RequestError` (callers translate its code).

import type { ApiError, ErrorCode } from '../gen/proto.ts';

/** An error code from the server, or one the console raises itself. */
export type ClientErrorCode = ErrorCode | 'network' | 'unexpected_response';

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let csrfToken: string | null = null;
let unauthenticatedListener: (() => void) | null = null;
let enrolmentListener: (() => void) | null = null;

/** Remembers the token from `SignedIn`; state-changing requests echo it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401 `unauthenticated` (the sign-in expired). */
export function onUnauthenticated(listener: () => void): void {
  unauthenticatedListener = listener;
}

/**
 * Called when a request answers 403 `two_factor_enrollment_required`: the company
 * requires a second factor the user has not set up, so every page but its setup
 * is closed to them.
 */
export function onTwoFactorEnrolmentRequired(listener: () => void): void {
  enrolmentListener = listener;
}

function isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null) return false;
  const fields = body as Record<string, unknown>;
  return typeof fields['code'] === 'string' && typeof fields['message'] === 'string';
}

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (cause) {
    throw new RequestError(0, 'network', String(cause), null);
  }

  const text = await response.text().catch(() => '');
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }

  if (!response.ok) {
    if (isApiError(parsed)) {
      const requestId = typeof parsed.request_id === 'string' ? parsed.request_id : null;
      if (parsed.code === 'unauthenticated' && !path.startsWith('/api/auth/')) {
        unauthenticatedListener?.();
      }
      if (parsed.code === 'two_factor_enrollment_required') enrolmentListener?.();
      throw new RequestError(response.status, parsed.code, parsed.message, requestId);
    }
    throw new RequestError(response.status, 'unexpected_response', `HTTP ${response.status}`, null);
  }
  if (text !== '' && parsed === undefined) {
    throw new RequestError(response.status, 'unexpected_response', 'response is not JSON', null);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, body?: unknown): Promise<T> => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown): Promise<T> => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown): Promise<T> => request<T>('PATCH', path, body),
  /** For answers without a body (204 No Content). */
  delete: (path: string): Promise<void> => request<undefined>('DELETE', path),
};

/** `/api/<collection>/<id>` with the id escaped, for ids taken from answers. */
export function itemPath(collection: string, id: string, action?: string): string {
  const base = `${collection}/${encodeURIComponent(id)}`;
  return action === undefined ? base : `${base}/${action}`;
}
