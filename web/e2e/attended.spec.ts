// Attended sessions end to end: a technician invites with a session key, an end user
// opens the portal in a browser of their own and runs the command it gives, exactly
// as shown, with the real `reach` binary on the Xvfb display; the technician starts
// the session and sees that screen. First with tenant-only help off (anyone with the
// key), then on (members only: signed out, another company's member, a member).
// The tests run in order.

import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import type { CompanyView, CreateCompany, CreateMember, SignedIn } from '../src/gen/proto.ts';
import { en } from '../src/i18n/en.ts';
import { commandWords, groupKey } from '../src/features/attended/keys.ts';
import { BIN, SCREEN, start, startHarness, type Child, type Harness } from './harness.ts';
import { attachScreenshot, dialog, fill, openPersonPage, showActualSize } from './pages.ts';

test.describe.configure({ mode: 'serial' });

/** The display name the server gives the administrator it creates from the environment. */
const ADMIN_NAME = 'Administrator';
/** A member of the technician's company, with no role: an end user. */
const MEMBER = { email: 'erin@example.com', name: 'Erin Enduser', password: 'end-user-password-0042' };
/** The administrator of another company. */
const OUTSIDER = { company: 'Initech', email: 'olga@initech.example', name: 'Olga Outsider', password: 'outsider-password-0042' };

/** The test pattern's top half: 8 vertical bars. */
const BARS: [number, number, number][] = [
  [255, 255, 255],
  [255, 255, 0],
  [0, 255, 255],
  [0, 255, 0],
  [255, 0, 255],
  [255, 0, 0],
  [0, 0, 255],
  [0, 0, 0],
];
const TOLERANCE = 8;

let harness: Harness;
let logDir = '';
const contexts: BrowserContext[] = [];
let technician: Page;
let endUser: Page | undefined;
let companyName = '';
const joins: Child[] = [];
let failed = false;
const problems: string[] = [];

function openPage(browser: Browser, who: string): Promise<Page> {
  return openPersonPage(browser, harness.origin, who, contexts, problems);
}

/** Signs in on the sign-in page the browser is on (the portal sent it there). */
async function signInHere(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel(en['login.email'], { exact: true }).fill(email);
  await page.getByLabel(en['login.password'], { exact: true }).fill(password);
  await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
}

/** A state-changing API call as the technician (cookie and CSRF token of their page). */
async function post(path: string, data: unknown): Promise<void> {
  const me = (await (await technician.request.get('/api/auth/me')).json()) as SignedIn;
  const response = await technician.request.post(path, { headers: { 'X-CSRF-Token': me.csrf_token }, data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
}

function main(page: Page): Locator {
  return page.getByRole('main');
}

async function go(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: en['nav.label'] }).getByRole('link', { name: label, exact: true }).click();
}

/** The technician's device list row of the attended device (one at a time here). */
function attendedRow(): Locator {
  return main(technician).locator('tr[data-attended="true"]');
}

/** Sets tenant-only help on the company settings page. */
async function setTenantOnly(on: boolean): Promise<void> {
  await go(technician, en['nav.company']);
  await expect(technician.getByRole('heading', { level: 1 })).toHaveText(en['company.title']);
  const box = main(technician).getByRole('checkbox', { name: en['company.tenantOnly'], exact: true });
  await expect(box).toHaveAccessibleDescription(en['company.tenantOnlyHint']);
  await box.setChecked(on);
  await main(technician).getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(main(technician).getByRole('status')).toHaveText(en['company.saved']);
  const company = (await (await technician.request.get('/api/company')).json()) as CompanyView;
  expect(company.settings.tenant_only).toBe(on);
}

/** Reads the key the open invitation dialog shows, checks its link and countdown, and closes it. */
async function readInvitation(): Promise<string> {
  const invitation = dialog(technician, en['invite.title']);
  await expect(invitation).toBeVisible();
  const shown = invitation.getByTestId('session-key');
  await expect(shown).toHaveText(/^\d{3} \d{3} \d{3}$/);
  const grouped = ((await shown.textContent()) ?? '').trim();
  const key = grouped.replace(/ /g, '');
  expect(groupKey(key)).toBe(grouped);
  await expect(invitation.getByTestId('portal-link')).toHaveText(new RegExp(`/\\?key=${key}$`));
  await expect(invitation.getByText(en['invite.next'])).toBeVisible();
  // Counting down live, from about 15 minutes.
  const expiry = invitation.getByTestId('session-key-expiry');
  await expect(expiry).toHaveText(/^Expires in 1[45]:\d\d$/);
  const first = await expiry.textContent();
  await expect.poll(() => expiry.textContent(), { timeout: 5000 }).not.toBe(first);
  await invitation.getByRole('button', { name: en['common.close'], exact: true }).click();
  await expect(invitation).toBeHidden();
  return key;
}

/** Runs the command the portal shows, word for word, with the harness's `reach` and display. */
async function runCommand(page: Page, name: string): Promise<{ child: Child; command: string }> {
  const command = ((await page.getByTestId('join-command').textContent()) ?? '').trim();
  const [program, ...args] = commandWords(command);
  expect(program).toBe('reach');
  const child = start(name, join(BIN, 'reach'), args, logDir, { env: { DISPLAY: harness.display } });
  joins.push(child);
  return { child, command };
}

/** Waits for the remote screen to show the test pattern's bars at 1:1. */
async function expectTestPattern(page: Page): Promise<void> {
  await showActualSize(page, true);
  const canvas = page.locator('canvas[data-remote-screen]');
  await expect(canvas).toHaveJSProperty('clientWidth', SCREEN.width);
  const barWidth = SCREEN.width / BARS.length;
  await expect(async () => {
    const png = PNG.sync.read(await canvas.screenshot({ animations: 'disabled' }));
    const wrong: string[] = [];
    for (const [index, want] of BARS.entries()) {
      const x = Math.floor(barWidth * (index + 0.5));
      const y = SCREEN.height / 4;
      const offset = (png.width * y + x) * 4;
      const got = [png.data[offset], png.data[offset + 1], png.data[offset + 2]].map((v) => v ?? -1);
      if (got.some((value, channel) => Math.abs(value - (want[channel] ?? 0)) > TOLERANCE)) wrong.push(`bar ${index}: rgb(${got.join(',')})`);
    }
    expect(wrong).toEqual([]);
  }).toPass({ timeout: 20_000 });
}

/**
 * From the device list: starts the session on the attended device, sees the screen,
 * ends it; the join command then exits by itself and the device leaves the list.
 */
async function helpAndEnd(child: Child): Promise<void> {
  await attendedRow().getByRole('button', { name: en['devices.connect'] }).click();
  await expect(technician).toHaveURL(/\/console\/sessions\/[^/]+$/);
  await expect(technician.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await expectTestPattern(technician);
  await technician.getByRole('button', { name: en['session.end'], exact: true }).click();
  await expect(technician.locator('[data-phase]')).toHaveAttribute('data-phase', 'ended');
  await expect.poll(() => child.running, { timeout: 20_000, message: 'reach agent join keeps running after the session ended' }).toBe(false);
  expect(await child.exited).toBe('exit 0');
  await go(technician, en['nav.devices']);
  await expect(technician.getByRole('heading', { level: 1 })).toHaveText(en['devices.title']);
  await expect(attendedRow()).toHaveCount(0);
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  logDir = join(testInfo.project.outputDir, 'harness-attended');
  harness = await startHarness(logDir);
  technician = await openPage(browser, 'technician');
  await contexts[0]?.tracing.start({ screenshots: true, snapshots: true });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  failed = true;
  await attachScreenshot(technician, 'technician', testInfo);
  await attachScreenshot(endUser, 'end-user', testInfo);
});

test.afterAll(async ({}, testInfo) => {
  for (const child of joins) await child.kill();
  await contexts[0]?.tracing.stop(failed ? { path: join(logDir, 'trace.zip') } : {});
  for (const context of contexts) await context.close();
  await harness?.stop();
});

test('tenant-only help is on by default; the technician turns it off on the company settings page', async () => {
  await technician.goto('/console/login');
  await signInHere(technician, harness.adminEmail, harness.adminPassword);
  await expect(technician).toHaveURL(/\/console\/devices$/);
  companyName = ((await (await technician.request.get('/api/company')).json()) as CompanyView).name;
  await go(technician, en['nav.company']);
  await expect(main(technician).getByRole('checkbox', { name: en['company.tenantOnly'], exact: true })).toBeChecked();
  await setTenantOnly(false);
});

test('the technician invites with a session key: grouped, with its portal link and a live countdown', async () => {
  await go(technician, en['nav.sessions']);
  await main(technician).getByRole('button', { name: en['invite.open'], exact: true }).click();
  await readInvitation();
});

test('signed out, the portal link shows who helps and the command, which joins the machine live in the device list', async ({ browser }) => {
  test.setTimeout(90_000);
  await go(technician, en['nav.sessions']);
  await main(technician).getByRole('button', { name: en['invite.open'], exact: true }).click();
  const key = await readInvitation();
  await go(technician, en['nav.devices']);
  await expect(technician.getByRole('heading', { level: 1 })).toHaveText(en['devices.title']);
  await expect(attendedRow()).toHaveCount(0);
  // A reload would wipe this marker: the device must come without one.
  await technician.evaluate(() => {
    (window as unknown as Record<string, unknown>)['reachE2eMarker'] = 'attended';
  });

  endUser = await openPage(browser, 'end user');
  await endUser.goto(`/?key=${key}`);
  await expect(endUser).toHaveURL(new RegExp(`/console/portal\\?key=${key}$`));
  await expect(endUser.getByRole('heading', { level: 1 })).toHaveText(en['portal.title']);
  // No console around it, and a way for technicians to their sign-in.
  await expect(endUser.getByRole('navigation', { name: en['nav.label'] })).toHaveCount(0);
  await expect(endUser.getByRole('link', { name: en['portal.technicianSignIn'], exact: true })).toBeVisible();
  await expect(endUser.getByLabel(en['portal.keyLabel'], { exact: true })).toHaveValue(groupKey(key));

  const result = endUser.locator('[data-portal-status]');
  await expect(result).toHaveAttribute('data-portal-status', 'ready');
  await expect(result.getByRole('heading', { level: 2 })).toHaveText(fill(en['portal.helper'], { technician: ADMIN_NAME, company: companyName }));
  await expect(result.getByTestId('key-expiry')).toHaveText(/^This key expires in 1[45]:\d\d\.$/);
  await expect(result.getByTestId('server-fingerprint')).toHaveText(harness.fingerprint);
  const command = result.getByTestId('join-command');
  await expect(command).toContainText(`--fingerprint ${harness.fingerprint}`);
  await expect(command).toContainText(`--key ${key}`);
  await expect(command).not.toContainText('--ticket');
  // Without tenant-only help there is no one-time pass to count down.
  await expect(result.getByTestId('ticket-expiry')).toHaveCount(0);

  const { child } = await runCommand(endUser, 'agent-join-anonymous');
  const row = attendedRow();
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row.getByTestId('attended-badge')).toHaveText(en['devices.attended']);
  await expect(row.getByTestId('attended-badge')).toHaveAttribute('title', en['devices.attendedHint']);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  // Anonymous: no end user to name.
  await expect(row.getByTestId('device-end-user')).toHaveCount(0);
  expect(await technician.evaluate(() => (window as unknown as Record<string, unknown>)['reachE2eMarker'])).toBe('attended');
  expect(child.running).toBe(true);

  await helpAndEnd(child);
  await go(technician, en['nav.sessions']);
  const newest = main(technician).getByRole('row').nth(1);
  await expect(newest.getByTestId('session-end-user')).toHaveText(en['sessions.anonymousEndUser']);
});

test('with tenant-only help on, a signed-out visitor must sign in, and another company’s member is told so', async ({ browser }) => {
  await setTenantOnly(true);
  const member: CreateMember = { email: MEMBER.email, display_name: MEMBER.name, password: MEMBER.password, role_ids: [] };
  await post('/api/users', member);
  const outsider: CreateCompany = {
    name: OUTSIDER.company,
    administrator: { email: OUTSIDER.email, display_name: OUTSIDER.name, password: OUTSIDER.password },
  };
  await post('/api/companies', outsider);

  // The keyboard shortcut opens the invitation too.
  await go(technician, en['nav.devices']);
  await expect(technician.getByRole('heading', { level: 1 })).toHaveText(en['devices.title']);
  await technician.keyboard.press('i');
  const key = await readInvitation();

  await endUser?.context().close();
  endUser = await openPage(browser, 'member');
  await endUser.goto(`/?key=${key}`);
  const result = endUser.locator('[data-portal-status]');
  await expect(result).toHaveAttribute('data-portal-status', 'sign_in_required');
  await expect(result).toContainText(fill(en['portal.signInBody'], { company: companyName }));
  await expect(endUser.getByTestId('join-command')).toHaveCount(0);

  await result.getByRole('button', { name: en['portal.signIn'], exact: true }).click();
  await expect(endUser).toHaveURL(new RegExp(`/console/login\\?next=${encodeURIComponent(`/portal?key=${key}`)}$`));
  await expect(endUser.getByText(en['login.subtitlePortal'])).toBeVisible();
  await signInHere(endUser, OUTSIDER.email, OUTSIDER.password);
  await expect(endUser).toHaveURL(new RegExp(`/console/portal\\?key=${key}$`));
  await expect(result).toHaveAttribute('data-portal-status', 'other_company');
  await expect(result).toContainText(fill(en['portal.otherCompanyBody'], { email: OUTSIDER.email, company: companyName }));
  await expect(endUser.getByTestId('portal-signed-in-as')).toHaveText(fill(en['portal.signedInAs'], { email: OUTSIDER.email }));
  await expect(endUser.getByTestId('join-command')).toHaveCount(0);
});

test('a member of the key’s company signs in from the portal, gets a command with a one-time pass, and joins', async () => {
  test.setTimeout(90_000);
  const page = endUser;
  if (page === undefined) throw new Error('the previous test left no end user page');
  const result = page.locator('[data-portal-status]');
  await result.getByRole('button', { name: en['portal.signInOther'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/login\?next=/);
  await signInHere(page, MEMBER.email, MEMBER.password);
  await expect(page).toHaveURL(/\/console\/portal\?key=\d{9}$/);
  await expect(result).toHaveAttribute('data-portal-status', 'ready');
  const command = page.getByTestId('join-command');
  await expect(command).toContainText('--ticket ');
  await expect(result.getByTestId('ticket-expiry')).toHaveText(/works for [45]:\d\d\.$/);
  // A new command is always to be had (a new pass, should this one run out).
  await result.getByRole('button', { name: en['portal.newCommand'], exact: true }).click();
  await expect(result.getByRole('button', { name: en['portal.newCommand'], exact: true })).toBeEnabled();
  await expect(command).toContainText('--ticket ');

  await go(technician, en['nav.devices']);
  const { child } = await runCommand(page, 'agent-join-member');
  const row = attendedRow();
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row.getByTestId('device-end-user')).toHaveText(fill(en['devices.endUser'], { email: MEMBER.email }));
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });

  await helpAndEnd(child);
  await go(technician, en['nav.sessions']);
  const newest = main(technician).getByRole('row').nth(1);
  await expect(newest.getByTestId('session-end-user')).toHaveText(MEMBER.email);
});

test('a wrong key says only that it is unknown or expired; an incomplete one is caught before asking', async ({ browser }) => {
  const page = await openPage(browser, 'visitor');
  await page.goto('/console/portal');
  const field = page.getByLabel(en['portal.keyLabel'], { exact: true });
  await expect(field).toBeFocused();
  await field.fill('1234');
  await expect(field).toHaveValue('123 4');
  await field.press('Enter');
  await expect(page.getByRole('alert')).toHaveText(en['portal.keyIncomplete']);
  await expect(field).toHaveAttribute('aria-invalid', 'true');

  // Pasted with dashes, it is grouped like the technician reads it.
  await field.fill('000-000-000');
  await expect(field).toHaveValue('000 000 000');
  await page.getByRole('button', { name: en['portal.check'], exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(en['portal.invalid']);
  await expect(page).toHaveURL(/\/console\/portal\?key=000000000$/);
  await expect(page.locator('[data-portal-status]')).toHaveCount(0);
});

test('a signed-in technician who opens the portal sees it too, with the way back to the console', async () => {
  await technician.goto('/console/portal');
  await expect(technician.getByRole('heading', { level: 1 })).toHaveText(en['portal.title']);
  await expect(technician.getByTestId('portal-signed-in-as')).toHaveText(fill(en['portal.signedInAs'], { email: harness.adminEmail }));
  await expect(technician.getByRole('navigation', { name: en['nav.label'] })).toHaveCount(0);
  await technician.getByRole('link', { name: en['portal.openConsole'], exact: true }).click();
  await expect(technician).toHaveURL(/\/console\/devices$/);
  await expect(technician.getByRole('heading', { level: 1 })).toHaveText(en['devices.title']);
});

test('the event log names the session keys and the joins, with the member who joined', async () => {
  await go(technician, en['nav.events']);
  const log = main(technician);
  await expect(log.getByRole('rowheader', { name: en['audit.code.R3002I'], exact: true }).first()).toBeVisible();
  const joined = log.getByRole('row').filter({ has: technician.getByRole('rowheader', { name: en['audit.code.R3003I'], exact: true }) });
  await expect(joined).toHaveCount(2);
  await expect(joined.first()).toContainText(MEMBER.email);
  await expect(joined.first()).toContainText(en['audit.detail.end_user']);
});

test('the portal and the invitation broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
