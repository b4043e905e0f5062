// Session keys as people read and type them, and the countdowns beside them. Pure
// functions, so unit tests can load them: the server sends nine digits
// (`SESSION_KEY_DIGITS` in crates/proto), people see them grouped by three.

/** How many digits a session key has. */
export const KEY_DIGITS = 9;

/** The digits of what was typed or pasted ("123 456-789" → "123456789"), at most nine. */
export function keyDigits(input: string): string {
  return input.replace(/\D/g, '').slice(0, KEY_DIGITS);
}

/** Whether `input` holds nothing but a whole key, give or take spaces and dashes. */
export function isCompleteKey(input: string): boolean {
  return /^[\s-]*$/.test(input.replace(/\d/g, '')) && input.replace(/\D/g, '').length === KEY_DIGITS;
}

/** Digits grouped by three from the left: "123456789" → "123 456 789", "1234" → "123 4". */
export function groupKey(digits: string): string {
  return (digits.match(/.{1,3}/g) ?? []).join(' ');
}

/**
 * Reformats a key field as it is typed: its value grouped, and where the caret goes
 * so it stays after the same digits (typing or deleting in the middle does not throw
 * it to the end).
 */
export function reformatKeyInput(value: string, caret: number): { value: string; caret: number } {
  const formatted = groupKey(keyDigits(value));
  const digitsBefore = keyDigits(value.slice(0, caret)).length;
  if (digitsBefore === 0) return { value: formatted, caret: 0 };
  let seen = 0;
  for (let index = 0; index < formatted.length; index++) {
    if (/\d/.test(formatted[index] ?? '')) seen++;
    if (seen === digitsBefore) return { value: formatted, caret: index + 1 };
  }
  return { value: formatted, caret: formatted.length };
}

/** What is left of a countdown, in whole seconds rounded up (so "0:00" means over), never below 0. */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** A countdown as a clock: "14:59", "0:05", "1:02:03" past an hour. */
export function formatCountdown(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(min).padStart(2, '0')}:${s}` : `${min}:${s}`;
}

/** The portal's address inside the console for `digits`, to come back to after signing in. */
export function portalPath(digits: string): string {
  return digits === '' ? '/portal' : `/portal?key=${encodeURIComponent(digits)}`;
}

/**
 * Splits the join command the portal shows into its words. The server builds it from
 * an address, a hex fingerprint, digits and a ticket, none of which hold spaces.
 */
export function commandWords(command: string): string[] {
  return command.trim().split(/\s+/).filter(Boolean);
}
