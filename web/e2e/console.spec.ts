// The console end to end: a real server, a real agent on Xvfb showing a known test
// pattern, and Chromium. The tests run in order on one signed-in page.

import { join } from 'node:path';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import type { AuditCode, CreateEnrollmentToken, SignedIn } from '../src/gen/proto.ts';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { DEVICE_NAME, requireBinary, SCREEN, start, startHarness, waitFor, type Harness, type PatternEvent } from './harness.ts';
import { showActualSize } from './pages.ts';

test.describe.configure({ mode: 'serial' });

/** The test pattern: top half 8 vertical bars, bottom half mid-grey. */
const BARS: [string, [number, number, number]][] = [
  ['white', [255, 255, 255]],
  ['yellow', [255, 255, 0]],
  ['cyan', [0, 255, 255]],
  ['green', [0, 255, 0]],
  ['magenta', [255, 0, 255]],
  ['red', [255, 0, 0]],
  ['blue', [0, 0, 255]],
  ['black', [0, 0, 0]],
];
const GREY: [number, number, number] = [128, 128, 128];
const TOLERANCE = 8;

function fill(text: string, params: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

let harness: Harness;
let context: BrowserContext;
let page: Page;
let failed = false;
const problems: string[] = [];

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  harness = await startHarness(join(testInfo.project.outputDir, 'harness'));
  context = await browser.newContext({
    baseURL: harness.origin,
    ignoreHTTPSErrors: true,
    viewport: { width: 1600, height: 1050 },
    deviceScaleFactor: 1,
    locale: 'en-US',
  });
  await context.tracing.start({ screenshots: true, snapshots: true });
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus || page === undefined) return;
  failed = true;
  const path = testInfo.outputPath('console-page.png');
  await page.screenshot({ path });
  await testInfo.attach('console page', { path, contentType: 'image/png' });
});

test.afterAll(async ({}, testInfo) => {
  // The trace of the shared page is kept only when something failed: `npx playwright show-trace <file>`.
  await context?.tracing.stop(failed ? { path: join(testInfo.project.outputDir, 'harness', 'trace.zip') } : {});
  await context?.close();
  await harness?.stop();
});

function deviceRow(): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: DEVICE_NAME, exact: true }) });
}

function sessionStatus(): Locator {
  return page.locator('[data-phase]');
}

function remoteScreen(): Locator {
  return page.locator('canvas[data-remote-screen]');
}

/** The event log rows whose event column reads `name`. */
function eventRows(name: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

async function newEvents(since: number): Promise<PatternEvent[]> {
  return (await harness.events()).slice(since);
}

test('a wrong password shows the translated error and stays on the sign-in page', async () => {
  await page.goto('/console/');
  await expect(page).toHaveURL(/\/console\/login/);
  await page.getByLabel(en['login.email'], { exact: true }).fill(harness.adminEmail);
  await page.getByLabel(en['login.password'], { exact: true }).fill('not-the-password-123');
  await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(en['error.invalid_credentials']);
  await expect(page).toHaveURL(/\/console\/login/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['login.title']);
});

test('the administrator signs in and lands on the device list', async () => {
  await page.getByLabel(en['login.password'], { exact: true }).fill(harness.adminPassword);
  await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/devices$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['devices.title']);
});

test('the device goes online in the list without a reload', async () => {
  const status = deviceRow().locator('[data-status]');
  await expect(status).toHaveAttribute('data-status', 'offline');
  await expect(status).toHaveText(en['devices.status.offline']);
  await expect(deviceRow().getByRole('button', { name: fill(en['devices.connectTo'], { name: DEVICE_NAME }) })).toBeDisabled();

  // A reload would wipe this marker.
  await page.evaluate(() => {
    (window as unknown as Record<string, unknown>)['reachE2eMarker'] = true;
  });
  await harness.startAgent();
  await expect(status).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await expect(status).toHaveText(en['devices.status.online']);
  expect(await page.evaluate(() => (window as unknown as Record<string, unknown>)['reachE2eMarker'])).toBe(true);
});

test('Connect opens the session view', async () => {
  await deviceRow()
    .getByRole('button', { name: fill(en['devices.connectTo'], { name: DEVICE_NAME }) })
    .click();
  await expect(page).toHaveURL(/\/console\/sessions\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(fill(en['session.titleWith'], { name: DEVICE_NAME }));
  await expect(sessionStatus()).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await expect(sessionStatus()).toHaveText(en['session.status.connected'], { timeout: 20_000 });
});

test('the canvas shows the test pattern at 1:1', async () => {
  await showActualSize(page, true);
  const canvas = remoteScreen();
  await expect(canvas).toHaveJSProperty('clientWidth', SCREEN.width);
  const barWidth = SCREEN.width / BARS.length;
  const probes: [string, number, number, [number, number, number]][] = [
    ...BARS.map(([name, rgb], index): [string, number, number, [number, number, number]] => [name, Math.floor(barWidth * (index + 0.5)), SCREEN.height / 4, rgb]),
    ['grey (left)', SCREEN.width / 8, (SCREEN.height * 3) / 4, GREY],
    ['grey (right)', (SCREEN.width * 7) / 8, (SCREEN.height * 3) / 4, GREY],
  ];
  await expect(async () => {
    const png = PNG.sync.read(await canvas.screenshot({ animations: 'disabled' }));
    // 1:1 means one screenshot pixel per remote pixel (a sub-pixel offset may add one).
    expect(Math.abs(png.width - SCREEN.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(png.height - SCREEN.height)).toBeLessThanOrEqual(1);
    const wrong: string[] = [];
    for (const [name, x, y, want] of probes) {
      const offset = (png.width * y + x) * 4;
      const got = [png.data[offset], png.data[offset + 1], png.data[offset + 2]].map((v) => v ?? -1);
      if (got.some((value, channel) => Math.abs(value - (want[channel] ?? 0)) > TOLERANCE)) {
        wrong.push(`${name} at (${x},${y}): got rgb(${got.join(',')}), want rgb(${want.join(',')})`);
      }
    }
    expect(wrong).toEqual([]);
  }).toPass({ timeout: 20_000 });
});

test('a click on the scaled canvas reaches the device at the right place', async () => {
  await showActualSize(page, false);
  const canvas = remoteScreen();
  await expect.poll(async () => (await canvas.boundingBox())?.width).not.toBe(SCREEN.width);
  const box = await canvas.boundingBox();
  if (box === null) throw new Error('the canvas is not visible');
  const since = (await harness.events()).length;
  const target = { x: 200, y: 600 };
  await canvas.click({
    position: { x: ((target.x + 0.5) * box.width) / SCREEN.width, y: ((target.y + 0.5) * box.height) / SCREEN.height },
  });
  await expect.poll(async () => (await newEvents(since)).some((e) => e.event === 'button_press'), { timeout: 10_000 }).toBe(true);
  const press = (await newEvents(since)).find((e) => e.event === 'button_press');
  expect(press?.button).toBe(1);
  expect(Math.abs((press?.x ?? -100) - target.x)).toBeLessThanOrEqual(2);
  expect(Math.abs((press?.y ?? -100) - target.y)).toBeLessThanOrEqual(2);
});

test('typing on the focused canvas reaches the device', async () => {
  await expect(remoteScreen()).toBeFocused();
  const since = (await harness.events()).length;
  await page.keyboard.type('hello');
  await page.keyboard.press('Shift+KeyA');
  await expect
    .poll(
      async () =>
        (await newEvents(since))
          .filter((e) => e.event === 'key_press' && typeof e.text === 'string' && e.text !== '')
          .map((e) => e.text)
          .join(''),
      { timeout: 10_000 },
    )
    .toBe('helloA');
});

/** The colour `reach-test-scroller` gives page line `n` (see its doc comment). */
function lineRgb(n: number): [number, number, number] {
  return [(n * 7) % 256, (Math.floor(n / 256) * 40 + 30) % 256, (n * 3 + 100) % 256];
}

test('a page scrolled on the device is repainted right, moved parts copied from what the console holds', async ({}, testInfo) => {
  // A window of unique rows over the pattern; each key press scrolls it 24 lines
  // (X CopyArea), which the agent sends as COPY tiles of the earlier picture.
  const area = { x: 256, y: 128, width: 512, height: 384, step: 24 };
  const lines: string[] = [];
  const scroller = start(
    'scroller',
    requireBinary('reach-test-scroller'),
    [area.x, area.y, area.width, area.height, area.step].map(String),
    join(testInfo.project.outputDir, 'harness'),
    { env: { DISPLAY: harness.display }, onStdoutLine: (line) => lines.push(line) },
  );
  try {
    const shown = (top: number) => waitFor(`the scroller at line ${top}`, 10_000, () => (lines.some((l) => l.includes(`"top":${top}`)) ? true : undefined), scroller);
    await shown(0);
    await showActualSize(page, true);
    const canvas = remoteScreen();
    const showsPage = async (top: number): Promise<void> => {
      await expect(async () => {
        const png = PNG.sync.read(await canvas.screenshot({ animations: 'disabled' }));
        const wrong: string[] = [];
        for (const row of [0, 1, 100, area.height - area.step - 1, area.height - area.step, area.height - 1]) {
          const [x, y] = [area.x + area.width / 2, area.y + row];
          const offset = (png.width * y + x) * 4;
          const got = [png.data[offset], png.data[offset + 1], png.data[offset + 2]].map((v) => v ?? -1);
          const want = lineRgb(top + row);
          if (got.some((value, channel) => Math.abs(value - (want[channel] ?? 0)) > TOLERANCE)) {
            wrong.push(`row ${row}: got rgb(${got.join(',')}), want rgb(${want.join(',')})`);
          }
        }
        expect(wrong).toEqual([]);
      }).toPass({ timeout: 20_000 });
    };
    await showsPage(0);
    await canvas.focus();
    for (const top of [24, 48, 72]) {
      await page.keyboard.press('KeyJ');
      await shown(top);
    }
    await showsPage(72);
  } finally {
    await scroller.kill();
  }
});

test('End session shows why it ended, and the history lists it', async () => {
  await page.getByRole('button', { name: en['session.end'], exact: true }).click();
  await expect(sessionStatus()).toHaveAttribute('data-phase', 'ended');
  const reason = en['endReason.technician_ended'];
  await expect(sessionStatus()).toHaveText(fill(en['session.status.endedWith'], { reason }));

  await page.getByRole('link', { name: en['nav.sessions'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/sessions$/);
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: DEVICE_NAME, exact: true }) }).first();
  await expect(row).toContainText(reason);
});

test('the event log lists what happened, newest first, and shows new entries live', async () => {
  await page.getByRole('link', { name: en['nav.events'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/events$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['events.title']);

  // The earlier tests (and the harness, which enrolled the device first) produced each of these; newest first.
  const codes: AuditCode[] = ['R3001I', 'R3000I', 'R1000I', 'R1001W', 'R2002I'];
  for (const code of codes) await expect(eventRows(en[`audit.code.${code}`]).first()).toBeVisible();
  const failed = eventRows(en['audit.code.R1001W']).first();
  await expect(failed.locator('[data-severity="warning"]')).toBeVisible();
  await expect(failed).toContainText(en['audit.value.wrong_password']);
  // Ended from the console: its technician is the actor, and the reason is in words.
  const ended = eventRows(en['audit.code.R3001I']).first();
  await expect(ended).toContainText(en['endReason.technician_ended']);
  await expect(ended).toContainText(en['audit.actor.user']);
  await expect(eventRows(en['audit.code.R3001I']).first()).toContainText(DEVICE_NAME);
  const order = await page.getByRole('main').getByRole('rowheader').allTextContents();
  const positions = codes.map((code) => order.indexOf(en[`audit.code.${code}`]));
  expect(positions).toEqual([...positions].sort((a, b) => a - b));

  // `/` focuses the filter, which narrows the loaded entries.
  await page.keyboard.press('/');
  const filter = page.getByRole('searchbox', { name: en['events.filterLabel'] });
  await expect(filter).toBeFocused();
  await filter.fill(en['audit.code.R1001W']);
  await expect(failed).toBeVisible();
  await expect(page.getByRole('rowheader', { name: en['audit.code.R3001I'], exact: true })).toHaveCount(0);
  await filter.fill('');
  await expect(eventRows(en['audit.code.R3001I']).first()).toBeVisible();

  // An enrollment token created meanwhile appears on top without a reload.
  await page.evaluate(() => {
    (window as unknown as Record<string, unknown>)['reachE2eMarker'] = 'event-log';
  });
  const me = (await (await page.request.get('/api/auth/me')).json()) as SignedIn;
  const token: CreateEnrollmentToken = { max_uses: 1, expires_in_secs: 3600, device_group: null };
  const created = await page.request.post('/api/enrollment-tokens', { headers: { 'X-CSRF-Token': me.csrf_token }, data: token });
  expect(created.ok()).toBe(true);
  await expect(page.getByRole('main').getByRole('rowheader').first()).toHaveText(en['audit.code.R2000I']);
  expect(await page.evaluate(() => (window as unknown as Record<string, unknown>)['reachE2eMarker'])).toBe('event-log');
});

test('switching to French translates the device list', async () => {
  await page.getByRole('link', { name: en['nav.devices'], exact: true }).click();
  await page.getByLabel(en['header.language']).selectOption('fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(fr['devices.title']);
  await expect(page.getByRole('columnheader', { name: fr['devices.col.status'], exact: true })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: fr['devices.col.lastSeen'], exact: true })).toBeVisible();
  await expect(deviceRow().locator('[data-status]')).toHaveText(fr['devices.status.online']);
  await expect(page.getByRole('link', { name: fr['nav.enrollment'], exact: true })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(fr['devices.title']);

  await page.getByRole('link', { name: fr['nav.events'], exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(fr['events.title']);
  await expect(page.getByRole('columnheader', { name: fr['events.col.actor'], exact: true })).toBeVisible();
  await expect(eventRows(fr['audit.code.R3001I']).first()).toBeVisible();
  await expect(eventRows(fr['audit.code.R1001W']).first()).toBeVisible();
});

test('the account page changes the password; the new one signs in', async () => {
  // The previous test left the console in French: back to English (the choice is saved).
  await page.getByLabel(fr['header.language']).selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['events.title']);

  // The user's name in the header is a link, reachable with the keyboard.
  const me = (await (await page.request.get('/api/auth/me')).json()) as SignedIn;
  const account = page.getByRole('banner').getByRole('link', { name: me.user.display_name, exact: true });
  await account.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/console\/account$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['account.title']);
  await expect(account).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('account-name')).toHaveText(me.user.display_name);
  await expect(page.getByTestId('account-email')).toHaveText(harness.adminEmail);
  // The administrator is the server's operator and holds every permission (Administrator role).
  await expect(page.getByTestId('account-operator')).toHaveText(en['account.operatorYes']);
  await expect(page.getByTestId('account-permissions').getByRole('listitem')).toHaveCount(me.user.permissions.length);
  await expect(page.getByTestId('account-permissions').getByText(en['permission.event_log.view'], { exact: true })).toBeVisible();
  await expect(page.getByText(fill(en['account.newHint'], { min: '12' }), { exact: true })).toBeVisible();

  const current = page.getByLabel(en['account.current'], { exact: true });
  const fresh = page.getByLabel(en['account.new'], { exact: true });
  const confirm = page.getByLabel(en['account.confirm'], { exact: true });
  const submit = page.getByRole('button', { name: en['account.submit'], exact: true });
  const newPassword = `${harness.adminPassword}-changed`;

  // A confirmation that differs is caught before anything is sent.
  await current.fill(harness.adminPassword);
  await fresh.fill(newPassword);
  await confirm.fill(`${newPassword}x`);
  await submit.click();
  await expect(page.getByRole('alert')).toHaveText(en['account.mismatch']);
  await expect(confirm).toBeFocused();

  // A wrong current password is refused by the server.
  await current.fill('not-the-password-456');
  await confirm.fill(newPassword);
  await submit.click();
  await expect(page.getByRole('alert')).toHaveText(en['account.wrongCurrent']);
  await expect(current).toHaveValue('');

  await current.fill(harness.adminPassword);
  await submit.click();
  await expect(page.getByRole('status').filter({ hasText: en['account.changed'] })).toHaveText(en['account.changed']);
  await expect(page.getByRole('alert')).toHaveCount(0);
  for (const field of [current, fresh, confirm]) await expect(field).toHaveValue('');
  harness.adminPassword = newPassword;

  // The new password signs in (this sign-in survived the change; sign out first). Signing
  // out sends the sign-in page back to where it happened, so do it from the device list.
  await page.getByRole('link', { name: en['nav.devices'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/devices$/);
  await page.getByRole('button', { name: en['header.signOut'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/login/);
  await page.getByLabel(en['login.email'], { exact: true }).fill(harness.adminEmail);
  await page.getByLabel(en['login.password'], { exact: true }).fill(harness.adminPassword);
  await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
  await expect(page).toHaveURL(/\/console\/devices$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['devices.title']);

  // The event log names the change.
  await page.getByRole('link', { name: en['nav.events'], exact: true }).click();
  await expect(eventRows(en['audit.code.R1004I']).first()).toBeVisible();
});

test('the console broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
