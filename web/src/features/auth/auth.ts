// Who is signed in. The server holds the session in an HttpOnly cookie; the console
// only keeps the technician's profile and the CSRF token that goes with it.

import { api, onTwoFactorEnrolmentRequired, onUnauthenticated, RequestError, setCsrfToken } from '../../api/http.ts';
import type { ChangePassword, LoginRequest, Permission, SetupRequest, SignedIn } from '../../gen/proto.ts';
import { Store } from '../../ui/store.ts';

export type AuthState =
  | { status: 'loading' }
  | { status: 'signed_out'; expired: boolean }
  | { status: 'signed_in'; me: SignedIn };

export const authStore = new Store<AuthState>({ status: 'loading' });

function signedIn(me: SignedIn): SignedIn {
  setCsrfToken(me.csrf_token);
  authStore.set({ status: 'signed_in', me });
  return me;
}

function signedOut(expired: boolean): void {
  setCsrfToken(null);
  authStore.set({ status: 'signed_out', expired });
}

onUnauthenticated(() => {
  if (authStore.get().status === 'signed_in') signedOut(true);
});

// The company started requiring a second factor while this user was signed in
// without one: the server now refuses everything but its setup, and so the console
// shows nothing else (app.tsx) until `loadMe` says it is done.
onTwoFactorEnrolmentRequired(() => {
  const state = authStore.get();
  if (state.status !== 'signed_in' || state.me.user.two_factor_required) return;
  authStore.set({ status: 'signed_in', me: { ...state.me, user: { ...state.me.user, two_factor_required: true } } });
});

/** Asks the server whether the cookie still holds a sign-in. */
export async function loadMe(): Promise<void> {
  try {
    signedIn(await api.get<SignedIn>('/api/auth/me'));
  } catch (error) {
    if (error instanceof RequestError && error.status === 401) signedOut(false);
    else throw error;
  }
}

export async function signIn(request: LoginRequest): Promise<SignedIn> {
  return signedIn(await api.post<SignedIn>('/api/auth/login', request));
}

export async function completeSetup(request: SetupRequest): Promise<SignedIn> {
  return signedIn(await api.post<SignedIn>('/api/setup', request));
}

export async function signOut(): Promise<void> {
  try {
    await api.post<unknown>('/api/auth/logout');
  } finally {
    signedOut(false);
  }
}

/** The server's shortest accepted password (`MIN_PASSWORD_LEN` in crates/core). */
export const MIN_PASSWORD_LENGTH = 12;

/** Whether `password` is shorter than the server accepts; like the server, counts characters, not UTF-16 units. */
export function passwordTooShort(password: string): boolean {
  return [...password].length < MIN_PASSWORD_LENGTH;
}

/**
 * Changes the signed-in user's password (204 No Content). The server ends every other
 * sign-in of the account; this one, and its CSRF token, stay valid.
 */
export async function changePassword(request: ChangePassword): Promise<void> {
  try {
    await api.post<unknown>('/api/auth/password', request);
  } catch (error) {
    // The wrapper leaves `/api/auth/` answers to their callers: an expired sign-in here
    // is the same as anywhere else (back to the sign-in page, saying why).
    if (error instanceof RequestError && error.code === 'unauthenticated' && authStore.get().status === 'signed_in') signedOut(true);
    throw error;
  }
}

/**
 * Whether the signed-in user holds `permission` company-wide. The server decides every
 * request itself; this only keeps the console from offering what would be refused.
 * Grants on a device group do not count here: they show on the devices they cover.
 */
export function can(me: SignedIn | null, permission: Permission): boolean {
  return me?.user.permissions.includes(permission) ?? false;
}

/** Whether the signed-in user manages the server's companies. */
export function isOperator(me: SignedIn | null): boolean {
  return me?.user.operator ?? false;
}
