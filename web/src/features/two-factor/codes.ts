// What people type as a second factor, tidied before it is sent, and the setup key
// shown for typing into an authenticator app by hand. Checking the shape here
// spares a round trip for a typo; a wrong shape sent anyway would count as a failed
// attempt against the sign-in throttle.

/** Digits in an authenticator code (RFC 6238 as the server uses it: SHA-1, 30 s). */
export const CODE_DIGITS = 6;

/** Letters and digits in a recovery code, without its dashes. */
const RECOVERY_LENGTH = 12;

/**
 * An authenticator code as typed, or null when it is not one. Apps show the code
 * as `123 456`, and pasting may bring spaces or a dash along: they are dropped.
 */
export function authenticatorCode(text: string): string | null {
  const code = text.replace(/[\s-]/g, '');
  return code.length === CODE_DIGITS && /^\d+$/.test(code) ? code : null;
}

/**
 * A recovery code as typed (`ABCD efgh-jkmn`), in the form the server hands them
 * out (`abcd-efgh-jkmn`), or null when it is not one. Case, spaces and dashes do
 * not matter to the server either.
 */
export function recoveryCode(text: string): string | null {
  const bare = text.replace(/[\s-]/g, '').toLowerCase();
  if (bare.length !== RECOVERY_LENGTH || !/^[a-z0-9]+$/.test(bare)) return null;
  return groups(bare, 4).join('-');
}

function groups(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += size) parts.push(text.slice(start, start + size));
  return parts;
}

/**
 * The Base32 secret in groups of four (`JBSW Y3DP EHPK 3PXP`), which is easier to
 * type without losing one's place; apps ignore the spaces. Padding is dropped.
 */
export function groupSecret(secret: string): string {
  return groups(secret.replace(/[\s=]/g, '').toUpperCase(), 4).join(' ');
}

/** The text of the downloadable recovery codes file: what they are, for whom, then one code a line. */
export function recoveryCodesFile(heading: string, account: string, codes: readonly string[]): string {
  return `${heading}\n${account}\n\n${codes.join('\n')}\n`;
}

/** The name the recovery codes file is saved under. */
export const RECOVERY_FILE_NAME = 'reach-recovery-codes.txt';
