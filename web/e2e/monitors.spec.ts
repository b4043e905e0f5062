// Several monitors end to end: Xvfb's screen split into two RandR monitors
// (the right one primary), a real server and agent, and Chromium. The console
// starts on the primary monitor, the technician switches with the menu and
// its shortcut, sees all monitors at once, and a click lands on the monitor
// shown.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { en } from '../src/i18n/en.ts';
import { DEVICE_NAME, requireBinary, SCREEN, startHarness, type Harness } from './harness.ts';
import { attachScreenshot, openPersonPage, showActualSize, signIn } from './pages.ts';

test.describe.configure({ mode: 'serial' });

type Rgb = [number, number, number];
const HALF = SCREEN.width / 2;
/** The pattern's bars, each an eighth of the whole screen wide. */
const BAR = SCREEN.width / 8;
const BAR_Y = SCREEN.height / 4;
const WHITE: Rgb = [255, 255, 255];
const MAGENTA: Rgb = [255, 0, 255];
const BLACK: Rgb = [0, 0, 0];

let harness: Harness;
const contexts: BrowserContext[] = [];
let page: Page;
const problems: string[] = [];

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  harness = await startHarness(join(testInfo.project.outputDir, 'harness'));
  await promisify(execFile)(requireBinary('reach-test-monitors'), [`LEFT:${HALF}x${SCREEN.height}+0+0`, `RIGHT:${HALF}x${SCREEN.height}+${HALF}+0*`], {
    env: { ...process.env, DISPLAY: harness.display },
  });
  page = await openPersonPage(browser, harness.origin, 'technician', contexts, problems);
  await harness.startAgent();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) await attachScreenshot(page, 'monitors', testInfo);
});

test.afterAll(async () => {
  for (const context of contexts) await context.close();
  await harness?.stop();
});

function monitorButton(): Locator {
  return page.locator('button[data-monitor]');
}

function remoteScreen(): Locator {
  return page.locator('canvas[data-remote-screen]');
}

/** Whether the canvas, read at 1:1, shows `want` at each (x, y). */
async function canvasShows(probes: [number, number, Rgb][]): Promise<void> {
  await expect(async () => {
    const png = PNG.sync.read(await remoteScreen().screenshot({ animations: 'disabled' }));
    const wrong = probes.flatMap(([x, y, want]) => {
      const offset = (png.width * y + x) * 4;
      const got = [png.data[offset], png.data[offset + 1], png.data[offset + 2]];
      return got.every((value, channel) => Math.abs((value ?? -99) - want[channel]!) <= 8) ? [] : [`(${x},${y}) is rgb(${got.join(',')}), want rgb(${want.join(',')})`];
    });
    expect(wrong).toEqual([]);
  }).toPass({ timeout: 20_000 });
}

test('the session opens on the primary monitor, marked P in the menu', async () => {
  await signIn(page, harness.adminEmail, harness.adminPassword);
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: DEVICE_NAME, exact: true }) });
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await row.getByRole('button', { name: en['devices.connectTo'].replace('{name}', DEVICE_NAME) }).click();
  await expect(page.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await showActualSize(page, true);

  await expect(monitorButton()).toHaveAttribute('data-monitor', 'RIGHT');
  await expect(monitorButton()).toHaveText('RIGHT');
  await expect(monitorButton()).toHaveAttribute('title', en['monitor.hint'].replace('{monitor}', 'RIGHT'));
  await expect(remoteScreen()).toHaveJSProperty('clientWidth', HALF);
  // The right half of the pattern: magenta first, black last.
  await canvasShows([
    [BAR / 2, BAR_Y, MAGENTA],
    [HALF - BAR / 2, BAR_Y, BLACK],
  ]);

  await monitorButton().click();
  const menu = page.getByRole('menu', { name: en['monitor.label'] });
  const items = menu.getByRole('menuitemradio');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText('RIGHT');
  await expect(items.nth(0).locator('abbr')).toHaveAttribute('title', en['monitor.primaryTitle']);
  await expect(items.nth(0)).toHaveAttribute('aria-checked', 'true');
  await expect(items.nth(1)).toContainText('LEFT');
  await expect(items.nth(2)).toContainText(en['monitor.all']);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
});

test('Ctrl+Alt+Shift+M then 2 shows the other monitor, and the key never reaches the device', async () => {
  const canvas = remoteScreen();
  await canvas.click({ position: { x: 5, y: SCREEN.height - 5 } });
  await expect(canvas).toBeFocused();
  const since = (await harness.events()).length;
  await page.keyboard.press('Control+Alt+Shift+KeyM');
  const menu = page.getByRole('menu', { name: en['monitor.label'] });
  await expect(menu).toBeVisible();
  // The menu takes the focus (on the monitor shown) before digits choose.
  await expect(menu.getByRole('menuitemradio', { name: /RIGHT/ })).toBeFocused();
  await page.keyboard.press('Digit2');
  await expect(menu).toBeHidden();
  await expect(monitorButton()).toHaveAttribute('data-monitor', 'LEFT');
  await canvasShows([
    [BAR / 2, BAR_Y, WHITE],
    [HALF - BAR / 2, BAR_Y, [0, 255, 0]],
  ]);
  // Ctrl, Alt and Shift went to the device (nobody knows a shortcut is coming);
  // the M and the digit did not.
  const keys = (await harness.events()).slice(since).filter((event) => event.event === 'key_press');
  expect(keys.filter((event) => [0x6d, 0x4d, 0x32].includes(event.keysym ?? 0))).toEqual([]);
  expect(keys.length).toBeGreaterThan(0);
});

test('all monitors show the whole desktop at once', async () => {
  await monitorButton().click();
  await page.getByRole('menuitemradio', { name: new RegExp(en['monitor.all']) }).click();
  await expect(monitorButton()).toHaveAttribute('data-monitor', '');
  await expect(monitorButton()).toHaveText(en['monitor.all']);
  await expect(remoteScreen()).toHaveJSProperty('clientWidth', SCREEN.width);
  await canvasShows([
    [BAR / 2, BAR_Y, WHITE],
    [SCREEN.width - BAR / 2, BAR_Y, BLACK],
  ]);
});

test('a click on the right monitor lands on the right monitor of the device', async () => {
  await monitorButton().click();
  await page.getByRole('menuitemradio', { name: /RIGHT/ }).click();
  await expect(monitorButton()).toHaveAttribute('data-monitor', 'RIGHT');
  await expect(remoteScreen()).toHaveJSProperty('clientWidth', HALF);
  const since = (await harness.events()).length;
  await remoteScreen().click({ position: { x: 100, y: 120 } });
  await expect.poll(async () => (await harness.events()).slice(since).find((event) => event.event === 'button_press'), { timeout: 10_000 }).toMatchObject({ x: HALF + 100, y: 120 });
});

test('monitors broke no CSP rule and threw no error', async () => {
  expect(problems).toEqual([]);
});
