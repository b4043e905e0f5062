// Time-based one-time passwords (RFC 6238: HOTP of RFC 4226 over 30-second steps,
// HMAC-SHA1), computed by the tests themselves so the console is driven the way
// a person with an authenticator app drives it. Written here rather than taken
// from a package so the spec checks the server against an independent reading of
// the RFC, and checks this reading against the RFC's own vectors.

import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The step length the server uses, in seconds. */
export const STEP_SECONDS = 30;

/** RFC 4648 Base32, as authenticator apps read it: case, spaces and padding do not matter. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32.indexOf(char);
    if (value === -1) throw new Error(`not Base32: ${JSON.stringify(char)} in ${JSON.stringify(text)}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 4226 HOTP: HMAC-SHA1 of the 8-byte big-endian counter, dynamically truncated. */
export function hotp(secret: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The step a Unix time in seconds falls in. */
export function stepAt(unixSeconds: number): number {
  return Math.floor(unixSeconds / STEP_SECONDS);
}

/** The current step by this machine's clock (the server runs on the same one). */
export function currentStep(): number {
  return stepAt(Date.now() / 1000);
}

/** RFC 6238 TOTP at a Unix time in seconds. */
export function totpAt(secret: Buffer, unixSeconds: number, digits = 6): string {
  return hotp(secret, stepAt(unixSeconds), digits);
}

/** Reads the secret out of an `otpauth://totp/...` URL, as an authenticator app does after scanning it. */
export function otpauthSecret(url: string): Buffer {
  const parsed = new URL(url);
  if (parsed.protocol !== 'otpauth:' || parsed.host !== 'totp') throw new Error(`not a TOTP otpauth URL: ${url}`);
  const secret = parsed.searchParams.get('secret');
  if (secret === null) throw new Error(`no secret in ${url}`);
  return base32Decode(secret);
}
