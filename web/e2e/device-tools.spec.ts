// The session view's clipboard and input-block tools end to end: the real
// server and agent on Xvfb, Chromium, and other X clients playing the device's
// applications (one copying, one pasting) and the end user's own keyboard.

import { join } from 'node:path';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { en } from '../src/i18n/en.ts';
import { EndUserKeyboard, ownXClipboard, readXClipboard } from './desktop.ts';
import { DEVICE_NAME, SCREEN, startHarness, type Harness } from './harness.ts';
import { fill, signIn } from './pages.ts';

test.describe.configure({ mode: 'serial' });

const ESCAPE = 0xff1b;

let harness: Harness;
let context: BrowserContext;
let page: Page;
let endUser: EndUserKeyboard;
const problems: string[] = [];
const stopLater: { stop(): void }[] = [];

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  harness = await startHarness(join(testInfo.project.outputDir, 'harness-tools'));
  await harness.startAgent();
  context = await browser.newContext({
    baseURL: harness.origin,
    ignoreHTTPSErrors: true,
    viewport: { width: 1600, height: 1050 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await signIn(page, harness.adminEmail, harness.adminPassword);
  await expect(page).toHaveURL(/\/console\/devices$/);
  const connect = page.getByRole('button', { name: fill(en['devices.connectTo'], { name: DEVICE_NAME }) });
  await expect(connect).toBeEnabled({ timeout: 30_000 });
  await connect.click();
  await expect(page.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
});

test.afterAll(async () => {
  for (const client of stopLater) client.stop();
  await context?.close();
  await harness?.stop();
});

function clipboardPanel(): Locator {
  return page.getByRole('dialog', { name: en['clipboard.title'], exact: true });
}

function blockButton(): Locator {
  return page.getByTestId('block-input');
}

test('the clipboard tool has its icon, tooltip and shortcut', async () => {
  const tool = page.getByRole('button', { name: en['clipboard.tool'], exact: true });
  await expect(tool).toBeEnabled();
  await expect(tool).toHaveAttribute('title', en['clipboard.toolHint']);
  await expect(tool).toHaveAttribute('aria-keyshortcuts', 'Control+Alt+Shift+V');
  await expect(tool.locator('svg')).toBeVisible();
  await expect(blockButton()).toHaveAttribute('title', en['block.blockHint']);
  await expect(blockButton()).toHaveAttribute('aria-keyshortcuts', 'Control+Alt+Shift+B');
});

test('Ctrl+Alt+Shift+V sends the technician’s clipboard; another X application pastes it', async () => {
  const text = 'From the technician — ünïcødé ✓\nsecond line';
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator('canvas[data-remote-screen]').focus();
  const since = (await harness.events()).length;
  await page.keyboard.press('Control+Alt+Shift+KeyV');
  await expect(clipboardPanel().getByTestId('clipboard-status')).toHaveText(fill(en['clipboard.applied'], { count: String([...text].length) }));
  expect(await readXClipboard(harness.display)).toBe(text);
  // The shortcut's V was not typed on the device.
  const typed = (await harness.events()).slice(since).filter((e) => e.event === 'key_press' && (e.text === 'v' || e.text === 'V'));
  expect(typed).toEqual([]);
});

test('when the browser refuses to read the clipboard, a text box sends the text', async () => {
  await context.clearPermissions();
  await clipboardPanel().getByTestId('send-clipboard').click();
  const box = clipboardPanel().getByLabel(en['clipboard.readRefused']);
  await expect(box).toBeVisible();
  await box.fill('typed by hand');
  await clipboardPanel().getByTestId('send-clipboard-text').click();
  await expect(clipboardPanel().getByTestId('clipboard-status')).toHaveText(fill(en['clipboard.applied'], { count: '13' }));
  expect(await readXClipboard(harness.display)).toBe('typed by hand');
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
});

test('text over the limit is refused in the console and the device keeps its clipboard', async () => {
  await page.evaluate((value) => navigator.clipboard.writeText(value), 'z'.repeat(60 * 1024));
  await clipboardPanel().getByTestId('send-clipboard').click();
  await expect(clipboardPanel().getByTestId('clipboard-status')).toHaveText(fill(en['clipboard.tooLarge'], { size: '61', limit: '48' }));
  expect(await readXClipboard(harness.display)).toBe('typed by hand');
});

test('text copied on the device shows in the panel and Copy puts it in the technician’s clipboard', async ({}, testInfo) => {
  await clipboardPanel().getByRole('button', { name: en['common.close'], exact: true }).click();
  await expect(clipboardPanel()).toHaveCount(0);
  const copied = 'copied on the device: 42 ✓';
  stopLater.push(await ownXClipboard(harness.display, copied));
  await expect(clipboardPanel().getByTestId('device-clipboard')).toHaveText(copied);
  await page.evaluate(() => navigator.clipboard.writeText('something else'));
  await clipboardPanel().getByTestId('copy-device-clipboard').click();
  await expect(clipboardPanel().getByTestId('copy-device-clipboard')).toHaveText(en['common.copied']);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(copied);
  await page.screenshot({ path: testInfo.outputPath('clipboard.png') });
  await clipboardPanel().getByRole('button', { name: en['common.close'], exact: true }).click();
});

/** The remote screen's colour at (x, y) of the device's screen, as the canvas shows it. */
async function remotePixel(x: number, y: number): Promise<[number, number, number]> {
  const canvas = page.locator('canvas[data-remote-screen]');
  // Notes, panels and the pointer may hang over the screen's top: the device's
  // pixels are what is probed, so they are hidden for the shot.
  const overlays = '.device-tool-note, .device-tool-panel, .tool-popup, .remote-cursor';
  await page.evaluate((selector) => {
    for (const element of document.querySelectorAll<HTMLElement>(selector)) element.style.visibility = 'hidden';
  }, overlays);
  let shot: Buffer;
  try {
    shot = await canvas.screenshot({ animations: 'disabled' });
  } finally {
    await page.evaluate((selector) => {
      for (const element of document.querySelectorAll<HTMLElement>(selector)) element.style.visibility = '';
    }, overlays);
  }
  const png = PNG.sync.read(shot);
  const px = Math.min(png.width - 1, Math.round((x * png.width) / SCREEN.width));
  const py = Math.min(png.height - 1, Math.round((y * png.height) / SCREEN.height));
  const at = (png.width * py + px) * 4;
  return [png.data[at] ?? -1, png.data[at + 1] ?? -1, png.data[at + 2] ?? -1];
}

/** Whether the probe shows `want`, give or take scaling. */
async function probeShows(want: [number, number, number]): Promise<boolean> {
  const got = await remotePixel(NOTICE_PROBE.x, NOTICE_PROBE.y);
  return got.every((value, channel) => Math.abs(value - (want[channel] ?? 0)) <= 8);
}

const MAGENTA: [number, number, number] = [255, 0, 255];
const BLACK: [number, number, number] = [0, 0, 0];

/** Just under the top edge, right of the centre: the agent's notice while blocked (black), else the magenta bar. */
const NOTICE_PROBE = { x: SCREEN.width / 2 + 20, y: 2 } as const;

test('blocking the end user’s input: a toggle with a visible state; the end user’s keys do not arrive', async ({}, testInfo) => {
  endUser = await EndUserKeyboard.start(harness.display);
  stopLater.push(endUser);
  await expect.poll(() => probeShows(MAGENTA)).toBe(true);
  await blockButton().click();
  await expect(blockButton()).toHaveAttribute('aria-pressed', 'true');
  await expect(blockButton()).toHaveAttribute('aria-label', en['block.unblock']);
  await expect(page.getByTestId('input-blocked')).toHaveText(en['block.badge']);
  await expect(page.getByTestId('block-note')).toContainText(en['block.blockedNotice']);
  const since = (await harness.events()).length;
  await endUser.type(0x71); // q
  await page.locator('canvas[data-remote-screen]').focus();
  await page.keyboard.press('KeyT');
  await expect.poll(async () => (await harness.events()).slice(since).some((e) => e.event === 'key_press' && e.text === 't')).toBe(true);
  expect((await harness.events()).slice(since).some((e) => e.event === 'key_press' && e.text === 'q')).toBe(false);
  // The device shows the end user how to take back control, at the top of the screen.
  await expect.poll(() => probeShows(BLACK), { timeout: 10_000 }).toBe(true);
  await page.screenshot({ path: testInfo.outputPath('blocked.png') });
});

test('three Escapes on the device give control back and the console says so', async () => {
  for (let i = 0; i < 3; i += 1) await endUser.type(ESCAPE);
  await expect(page.getByTestId('block-note')).toHaveText(new RegExp(en['block.takenBack']));
  await expect(page.getByTestId('block-note')).toHaveAttribute('role', 'alert');
  await expect(blockButton()).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('input-blocked')).toHaveCount(0);
  await expect.poll(() => probeShows(MAGENTA), { timeout: 10_000 }).toBe(true);
  const since = (await harness.events()).length;
  await endUser.type(0x72); // r
  await expect.poll(async () => (await harness.events()).slice(since).some((e) => e.event === 'key_press' && e.text === 'r')).toBe(true);
});

test('Ctrl+Alt+Shift+B toggles the block without typing B on the device', async () => {
  await page.locator('canvas[data-remote-screen]').focus();
  const since = (await harness.events()).length;
  await page.keyboard.press('Control+Alt+Shift+KeyB');
  await expect(blockButton()).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Control+Alt+Shift+KeyB');
  await expect(blockButton()).toHaveAttribute('aria-pressed', 'false');
  const typed = (await harness.events()).slice(since).filter((e) => e.event === 'key_press' && (e.text === 'b' || e.text === 'B'));
  expect(typed).toEqual([]);
});

test('the event log records the block and who gave it back', async () => {
  await page.getByRole('link', { name: en['nav.events'], exact: true }).click();
  const main = page.getByRole('main');
  await expect(main.getByRole('rowheader', { name: en['audit.code.R3004I'], exact: true }).first()).toBeVisible();
  await expect(main.getByRole('rowheader', { name: en['audit.code.R3005I'], exact: true }).first()).toBeVisible();
});

test('the page threw no error', () => {
  expect(problems).toEqual([]);
});
