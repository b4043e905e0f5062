// Two-factor sign-in end to end, against a real server: the administrator turns it
// on from the Account page (the QR code is read back from the screen as a phone
// would, and codes are computed by e2e/totp.ts), signs in with the app's code and
// with a recovery code, then requires it company-wide; a new member must set it up
// before anything else, and the administrator resets it. The tests run in order.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { AuditCode } from '../src/gen/proto.ts';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { startHarness, type Harness } from './harness.ts';
import { addUser, attachScreenshot, dialog, fill, rowStarting, openPersonPage, signIn } from './pages.ts';
import { base32Decode, currentStep, hotp, otpauthSecret, STEP_SECONDS, totpAt } from './totp.ts';

test.describe.configure({ mode: 'serial' });

/** The display name the server gives the administrator it creates from the environment. */
const ADMIN_NAME = 'Administrator';
const MEMBER = { email: 'mia@example.com', name: 'Mia Member' };

let harness: Harness;
const contexts: BrowserContext[] = [];
let admin: Page;
let member: Page;
let failed = false;
const problems: string[] = [];
let adminSecret: Buffer = Buffer.alloc(0);
/** The last step whose code the administrator used: the server takes each step's code once. */
let adminLastStep = 0;
let recoveryCodes: string[] = [];
let memberPassword = '';

function openPage(browser: Browser, who: string): Promise<Page> {
  return openPersonPage(browser, harness.origin, who, contexts, problems);
}

function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: en['nav.label'] });
}

async function go(page: Page, label: string): Promise<void> {
  await nav(page).getByRole('link', { name: label, exact: true }).click();
}

function heading(page: Page): Locator {
  return page.getByRole('heading', { level: 1 });
}

/** Reads the QR code on screen back into its text, as an authenticator app does. */
async function scan(qr: Locator): Promise<string> {
  const png = PNG.sync.read(await qr.screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (found === null) throw new Error('the QR code on screen could not be read');
  return found.data;
}

/** The secret behind the setup on screen: from the QR code, checked against the key shown for typing. */
async function secretOnScreen(scope: Locator): Promise<Buffer> {
  const url = await scan(scope.getByRole('img', { name: en['twoFactor.qrLabel'] }));
  expect(url).toMatch(/^otpauth:\/\/totp\/.+\?/);
  expect(url).toContain('issuer=Reach');
  const secret = otpauthSecret(url);
  const key = (await scope.getByTestId('two-factor-key').textContent()) ?? '';
  expect(key).toMatch(/^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/);
  expect(base32Decode(key).equals(secret)).toBe(true);
  return secret;
}

/**
 * A code the server has not taken yet: the current step's, or the next one's when
 * the current one was used (the server accepts one step either side of its clock).
 */
async function freshCode(secret: Buffer, lastUsed: number): Promise<{ code: string; step: number }> {
  for (;;) {
    const now = currentStep();
    const step = Math.max(now, lastUsed + 1);
    if (step <= now + 1) return { code: hotp(secret, step), step };
    await new Promise((wake) => setTimeout(wake, ((now + 1) * STEP_SECONDS - Date.now() / 1000) * 1000 + 200));
  }
}

/** A code no clock could accept now: twenty steps (ten minutes) ago. */
function staleCode(secret: Buffer): string {
  return hotp(secret, currentStep() - 20);
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: en['header.signOut'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/login/);
}

function events(code: AuditCode): Locator {
  return admin.getByRole('main').getByRole('row').filter({ has: admin.getByRole('rowheader', { name: en[`audit.code.${code}`], exact: true }) });
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  harness = await startHarness(join(testInfo.project.outputDir, 'harness-two-factor'));
  admin = await openPage(browser, 'admin');
  await contexts[0]?.tracing.start({ screenshots: true, snapshots: true });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  failed = true;
  await attachScreenshot(admin, 'admin', testInfo);
  await attachScreenshot(member, 'member', testInfo);
});

test.afterAll(async ({}, testInfo) => {
  await contexts[0]?.tracing.stop(failed ? { path: join(testInfo.project.outputDir, 'harness-two-factor', 'trace.zip') } : {});
  for (const context of contexts) await context.close();
  await harness?.stop();
});

test('the TOTP helper reproduces the RFC test vectors', () => {
  const secret = Buffer.from('12345678901234567890', 'ascii');
  // RFC 6238 appendix B, SHA-1 rows (8 digits).
  for (const [time, code] of [
    [59, '94287082'],
    [1_111_111_109, '07081804'],
    [1_111_111_111, '14050471'],
    [1_234_567_890, '89005924'],
    [2_000_000_000, '69279037'],
    [20_000_000_000, '65353130'],
  ] as const) {
    expect(totpAt(secret, time, 8), `at ${time}`).toBe(code);
  }
  // RFC 4226 appendix D (6 digits, the length the server uses).
  expect([0, 1, 2, 9].map((counter) => hotp(secret, counter))).toEqual(['755224', '287082', '359152', '520489']);
  // RFC 4648 section 10.
  expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
  expect(base32Decode('mzxw 6ytb').toString()).toBe('fooba');
});

test('the Company page warns an administrator without a second factor before requiring it', async () => {
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await expect(admin).toHaveURL(/\/console\/devices$/);
  await go(admin, en['nav.company']);
  const required = admin.getByRole('checkbox', { name: en['company.requireTwoFactor'], exact: true });
  await required.check();
  await expect(admin.getByTestId('self-two-factor-warning')).toHaveText(en['company.selfTwoFactorWarning']);
  await required.uncheck();
  await expect(admin.getByTestId('self-two-factor-warning')).toHaveCount(0);
});

test('the administrator turns two-factor sign-in on from the Account page', async () => {
  await admin.getByRole('link', { name: ADMIN_NAME, exact: true }).click();
  await expect(admin).toHaveURL(/\/console\/account$/);
  const section = admin.getByRole('region', { name: en['twoFactor.title'] });
  await expect(section.getByTestId('two-factor-status')).toHaveText(en['twoFactor.off']);
  await section.getByRole('button', { name: en['twoFactor.turnOn'], exact: true }).click();
  adminSecret = await secretOnScreen(section);

  const field = section.getByLabel(en['twoFactor.enterCode'], { exact: true });
  const confirm = section.getByRole('button', { name: en['twoFactor.confirm'], exact: true });
  await expect(field).toHaveAttribute('autocomplete', 'one-time-code');
  // Not six digits: said without asking the server.
  await field.fill('12345');
  await confirm.click();
  await expect(section.getByRole('alert')).toHaveText(en['twoFactor.codeFormat']);
  // A code from another time: the hint points at the phone's clock.
  await field.fill(staleCode(adminSecret));
  await confirm.click();
  await expect(section.getByRole('alert')).toHaveText(en['twoFactor.codeMismatch']);
  await expect(field).toHaveValue('');

  const { code, step } = await freshCode(adminSecret, 0);
  await field.fill(code);
  await confirm.click();
  adminLastStep = step;
  await expect(section.getByRole('heading', { name: en['twoFactor.codesTitle'] })).toBeFocused();
  await expect(section.getByText(en['twoFactor.codesOnce'])).toBeVisible();
  recoveryCodes = await section.getByRole('list', { name: en['twoFactor.codesLabel'] }).getByRole('listitem').allTextContents();
  expect(recoveryCodes).toHaveLength(10);
  for (const recovery of recoveryCodes) expect(recovery).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);

  await section.getByRole('button', { name: en['twoFactor.copyCodes'], exact: true }).click();
  await expect(section.getByRole('button', { name: en['twoFactor.copyCodes'], exact: true })).toHaveText(en['common.copied']);
  expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(recoveryCodes.join('\n'));
  // The .txt comes from a blob: URL, which the CSP must let through.
  const [download] = await Promise.all([admin.waitForEvent('download'), section.getByRole('link', { name: en['twoFactor.download'], exact: true }).click()]);
  expect(download.suggestedFilename()).toBe('reach-recovery-codes.txt');
  const file = await readFile(await download.path(), 'utf8');
  expect(file.trim().split('\n').slice(-10)).toEqual(recoveryCodes);
  expect(file).toContain(harness.adminEmail);

  await section.getByRole('button', { name: en['twoFactor.saved'], exact: true }).click();
  await expect(section.getByTestId('two-factor-status')).toHaveText(en['twoFactor.on']);
  await expect(section.getByRole('status').filter({ hasText: en['twoFactor.enabled'] })).toBeVisible();
  // Shown once: nothing shows a recovery code again, a reload included.
  await expect(admin.getByText(recoveryCodes[0] ?? '')).toHaveCount(0);
  await admin.reload();
  await expect(section.getByTestId('two-factor-status')).toHaveText(en['twoFactor.on']);
});

test('signing in then asks for the code; a wrong one is refused, a fresh one signs in', async () => {
  await signOut(admin);
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await expect(heading(admin)).toHaveText(en['twoFactor.title']);
  await expect(admin.getByText(fill(en['login.signingInAs'], { email: harness.adminEmail }))).toBeVisible();
  const field = admin.getByLabel(en['login.code'], { exact: true });
  await expect(field).toBeFocused();
  await expect(field).toHaveAttribute('autocomplete', 'one-time-code');
  await expect(field).toHaveAttribute('inputmode', 'numeric');
  const verify = admin.getByRole('button', { name: en['login.verify'], exact: true });

  await field.fill(staleCode(adminSecret));
  await verify.click();
  await expect(admin.getByRole('alert')).toHaveText(en['login.codeInvalid']);
  await expect(field).toHaveValue('');
  await expect(field).toBeFocused();

  // The code that confirmed the setup is spent: the app's next one is needed.
  const { code, step } = await freshCode(adminSecret, adminLastStep);
  await field.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await verify.click();
  await expect(admin).toHaveURL(/\/console\/devices$/);
  adminLastStep = step;
});

test('a recovery code signs in once; the back link returns to the password', async () => {
  await signOut(admin);
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await admin.getByRole('button', { name: en['login.useRecovery'], exact: true }).click();
  const field = admin.getByLabel(en['login.recoveryCode'], { exact: true });
  await expect(field).toBeFocused();
  await expect(admin.getByText(en['login.recoverySubtitle'])).toBeVisible();
  // Typed in capitals: case does not matter.
  await field.fill((recoveryCodes[0] ?? '').toUpperCase());
  await admin.getByRole('button', { name: en['login.verify'], exact: true }).click();
  await expect(admin).toHaveURL(/\/console\/devices$/);

  await signOut(admin);
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await admin.getByRole('button', { name: en['login.useRecovery'], exact: true }).click();
  await field.fill(recoveryCodes[0] ?? '');
  await admin.getByRole('button', { name: en['login.verify'], exact: true }).click();
  await expect(admin.getByRole('alert')).toHaveText(en['login.recoveryInvalid']);

  await admin.getByRole('button', { name: en['login.back'], exact: true }).click();
  await expect(heading(admin)).toHaveText(en['login.title']);
  await expect(admin.getByLabel(en['login.email'], { exact: true })).toHaveValue(harness.adminEmail);
  await expect(admin.getByLabel(en['login.password'], { exact: true })).toHaveValue('');
  await expect(admin.getByLabel(en['login.password'], { exact: true })).toBeFocused();

  await signIn(admin, harness.adminEmail, harness.adminPassword);
  const { code, step } = await freshCode(adminSecret, adminLastStep);
  await admin.getByLabel(en['login.code'], { exact: true }).fill(code);
  await admin.getByRole('button', { name: en['login.verify'], exact: true }).click();
  await expect(admin).toHaveURL(/\/console\/devices$/);
  adminLastStep = step;
});

test('with the company requiring it, a new member sets it up before anything else', async ({ browser }) => {
  await go(admin, en['nav.company']);
  await admin.getByRole('checkbox', { name: en['company.requireTwoFactor'], exact: true }).check();
  // The administrator has a second factor: nothing to warn about.
  await expect(admin.getByTestId('self-two-factor-warning')).toHaveCount(0);
  await admin.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: en['company.saved'] })).toBeVisible();

  await go(admin, en['nav.users']);
  memberPassword = (await addUser(admin, MEMBER, [en['roles.builtin.administrator']])) ?? '';
  await expect(rowStarting(admin.getByRole('main'), MEMBER.name).locator('[data-two-factor]')).toHaveText(en['users.twoFactor.off']);

  member = await openPage(browser, 'member');
  const sockets: string[] = [];
  member.on('websocket', (socket) => sockets.push(socket.url()));
  await signIn(member, MEMBER.email, memberPassword);
  await expect(heading(member)).toHaveText(en['twoFactor.required.title']);
  await expect(member.getByText(en['twoFactor.required.body'])).toBeVisible();
  await expect(nav(member)).toHaveCount(0);
  await expect(member.getByRole('link', { name: MEMBER.name })).toHaveCount(0);
  await expect(member.getByRole('button', { name: en['header.signOut'], exact: true })).toBeVisible();
  // A typed address leads to the same screen.
  await member.goto('/console/users');
  await expect(heading(member)).toHaveText(en['twoFactor.required.title']);
  await expect(nav(member)).toHaveCount(0);

  await member.getByLabel(en['header.language']).selectOption('fr');
  await expect(heading(member)).toHaveText(fr['twoFactor.required.title']);
  await expect(member.getByText(fr['twoFactor.required.body'])).toBeVisible();
  await expect(member.getByRole('button', { name: fr['twoFactor.required.start'], exact: true })).toBeVisible();
  await expect(member.getByRole('button', { name: fr['header.signOut'], exact: true })).toBeVisible();
  await member.getByLabel(fr['header.language']).selectOption('en');

  await member.goto('/console/devices');
  await member.getByRole('button', { name: en['twoFactor.required.start'], exact: true }).click();
  const card = member.getByRole('region', { name: en['twoFactor.required.title'] });
  const secret = await secretOnScreen(card);
  await card.getByLabel(en['twoFactor.enterCode'], { exact: true }).fill(hotp(secret, currentStep()));
  await card.getByRole('button', { name: en['twoFactor.confirm'], exact: true }).click();
  await expect(card.getByRole('list', { name: en['twoFactor.codesLabel'] }).getByRole('listitem')).toHaveCount(10);
  // Until now the server would have refused the live feed: the console did not open it.
  expect(sockets.filter((url) => url.includes('/api/events'))).toEqual([]);

  await card.getByRole('button', { name: en['twoFactor.required.continue'], exact: true }).click();
  await expect(member).toHaveURL(/\/console\/devices$/);
  await expect(heading(member)).toHaveText(en['devices.title']);
  await expect(nav(member).getByRole('link', { name: en['nav.users'], exact: true })).toBeVisible();
  await expect(member.getByRole('status').filter({ hasText: en['feed.live'] })).toBeVisible();
});

test('the administrator resets the member’s second factor; the member’s console closes', async () => {
  await admin.reload();
  const main = admin.getByRole('main');
  const memberRow = rowStarting(main, MEMBER.name);
  await expect(memberRow.locator('[data-two-factor]')).toHaveText(en['users.twoFactor.on']);
  await expect(rowStarting(main, ADMIN_NAME).locator('[data-two-factor]')).toHaveText(en['users.twoFactor.on']);
  await expect(rowStarting(main, ADMIN_NAME).getByRole('button', { name: fill(en['users.resetTwoFactorUser'], { name: ADMIN_NAME }) })).toHaveCount(0);

  await memberRow.getByRole('button', { name: fill(en['users.resetTwoFactorUser'], { name: MEMBER.name }) }).click();
  const confirm = dialog(admin, fill(en['users.resetTitle'], { name: MEMBER.name }));
  await expect(confirm).toContainText(fill(en['users.resetBody'], { name: MEMBER.name }));
  await confirm.getByRole('button', { name: en['users.resetConfirm'], exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: fill(en['users.resetDone'], { name: MEMBER.name }) })).toBeVisible();
  await expect(memberRow.locator('[data-two-factor]')).toHaveText(en['users.twoFactor.off']);

  // The member's next request is refused for want of a second factor: the setup takes over.
  await go(member, en['nav.users']);
  await expect(heading(member)).toHaveText(en['twoFactor.required.title']);
  await expect(nav(member)).toHaveCount(0);
  await signOut(member);
});

test('turning it off needs the password, and is refused while the company requires it', async () => {
  await admin.getByRole('link', { name: ADMIN_NAME, exact: true }).click();
  const section = admin.getByRole('region', { name: en['twoFactor.title'] });
  const turnOff = section.getByRole('button', { name: en['twoFactor.turnOff'], exact: true });
  await turnOff.click();
  let ask = dialog(admin, en['twoFactor.disableTitle']);
  await ask.getByLabel(en['twoFactor.password'], { exact: true }).fill(harness.adminPassword);
  await ask.getByRole('button', { name: en['twoFactor.turnOff'], exact: true }).click();
  await expect(ask).toBeHidden();
  await expect(section.getByText(en['error.two_factor_required_by_company'])).toBeVisible();
  await expect(turnOff).toBeDisabled();

  await go(admin, en['nav.company']);
  await admin.getByRole('checkbox', { name: en['company.requireTwoFactor'], exact: true }).uncheck();
  await admin.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: en['company.saved'] })).toBeVisible();

  await admin.getByRole('link', { name: ADMIN_NAME, exact: true }).click();
  await turnOff.click();
  ask = dialog(admin, en['twoFactor.disableTitle']);
  const password = ask.getByLabel(en['twoFactor.password'], { exact: true });
  await expect(password).toBeFocused();
  await password.fill('not the password');
  await ask.getByRole('button', { name: en['twoFactor.turnOff'], exact: true }).click();
  await expect(ask.getByRole('alert')).toHaveText(en['twoFactor.wrongPassword']);
  await password.fill(harness.adminPassword);
  await ask.getByRole('button', { name: en['twoFactor.turnOff'], exact: true }).click();
  await expect(ask).toBeHidden();
  await expect(section.getByTestId('two-factor-status')).toHaveText(en['twoFactor.off']);
  await expect(section.getByRole('status').filter({ hasText: en['twoFactor.disabled'] })).toBeVisible();
});

test('the event log says how each sign-in was proven and who turned two-factor off', async () => {
  await go(admin, en['nav.events']);
  await expect(events('R1008I').filter({ hasText: harness.adminEmail }).first()).toBeVisible();
  await expect(events('R1008I').filter({ hasText: MEMBER.email }).first()).toBeVisible();
  await expect(events('R1000I').filter({ hasText: en['audit.value.recovery_code'] }).first()).toBeVisible();
  await expect(events('R1000I').filter({ hasText: en['audit.value.authenticator_code'] }).first()).toBeVisible();
  await expect(events('R1001W').filter({ hasText: en['audit.value.wrong_second_factor'] }).first()).toBeVisible();
  await expect(events('R1009I').first()).toContainText(en['audit.value.self']);
  await expect(events('R1009I').filter({ hasText: MEMBER.email }).first()).toContainText(en['audit.value.administrator']);
});

test('the two-factor pages broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
