// Where to go after a single sign-on. The identity provider's round trip cannot carry
// the console's `?next=` (the server lands every single sign-on on the device list),
// so the sign-in page keeps it in this tab's session storage before leaving, and the
// console takes it back once it boots signed in. It is short-lived: a sign-on
// abandoned and finished much later lands on the device list as usual.

const STORAGE_KEY = 'reach.next';
/** How long a kept destination stays good: a sign-on rarely takes longer. */
export const NEXT_MAX_AGE_MS = 10 * 60_000;

/** Where to go after signing in: a console path from `?next=`, never another site. */
export function safeNext(next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/devices';
  return next;
}

/** What session storage keeps for `next`, or null when there is nothing worth keeping. */
export function encodeNext(next: string | null, now: number): string | null {
  if (next === null || safeNext(next) !== next) return null;
  return JSON.stringify({ next, at: now });
}

/** The destination in a kept value, if it is well-formed, safe and recent enough. */
export function decodeNext(raw: string | null, now: number): string | null {
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { next, at } = parsed as Record<string, unknown>;
  if (typeof next !== 'string' || typeof at !== 'number') return null;
  if (now < at || now - at > NEXT_MAX_AGE_MS) return null;
  return safeNext(next) === next ? next : null;
}

/** Keeps `next` for when the browser comes back from the identity provider. */
export function rememberNext(next: string | null): void {
  try {
    const value = encodeNext(next, Date.now());
    if (value === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, value);
  } catch {
    // Storage can be unavailable (privacy settings): the sign-on lands on the device list.
  }
}

/** The kept destination, once: it is forgotten as it is read. */
export function takeRememberedNext(): string | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    sessionStorage.removeItem(STORAGE_KEY);
    return decodeNext(raw, Date.now());
  } catch {
    return null;
  }
}
