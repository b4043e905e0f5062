// The technician's screen tools end to end: a real server, a real agent on Xvfb
// showing the test pattern (which reports the keys it receives), and Chromium.
// The session link goes through Playwright's WebSocket route, which passes every
// message on and can break a screen batch in flight. The tests run in order on
// one signed-in page.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import type { ConsoleMessage } from '../src/gen/proto.ts';
import { en } from '../src/i18n/en.ts';
import { DEVICE_NAME, SCREEN, startHarness, type Harness, type PatternEvent } from './harness.ts';
import { attachScreenshot, fill, openPersonPage, showActualSize, signIn } from './pages.ts';

test.describe.configure({ mode: 'serial' });

/** The test pattern: top half 8 vertical bars, bottom half mid-grey. */
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
const GREY: [number, number, number] = [128, 128, 128];
const TOLERANCE = 8;
/** X11 modifier state bits in the test pattern's events. */
const SHIFT_MASK = 1;
const CONTROL_MASK = 4;
const MOD1_MASK = 8;

let harness: Harness;
let page: Page;
const contexts: BrowserContext[] = [];
const problems: string[] = [];
/** What the console sent on the session link, with when. */
const sent: { at: number; message: ConsoleMessage }[] = [];
type Breakage = 'truncate' | 'corrupt-first-png' | 'corrupt-last-png';
/** How to break the next screen batches the server sends, in order. */
const breakNext: Breakage[] = [];
/** While set, the console's `refresh` requests are kept here instead of reaching the server. */
let heldRefreshes: string[] | null = null;
let serverSide: { send(message: string | Buffer): void } | null = null;

/** Cuts the batch short, or spoils a PNG or INDEXED tile's header (the first or the last one). */
function breakFrame(frame: Buffer, how: Breakage): Buffer {
  if (how === 'truncate') return frame.subarray(0, frame.length - 9);
  const broken = Buffer.from(frame);
  // Bulk header (5 bytes), then seq u32, flags u8, width u16, height u16, count u16.
  let offset = 5 + 11;
  const count = broken.readUInt16BE(5 + 9);
  const pngTiles: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const encoding = broken.readUInt8(offset + 8);
    const length = broken.readUInt32BE(offset + 9);
    // PNG (1) and INDEXED (5) tiles are both PNG files, with IHDR at the same place.
    if (encoding === 1 || encoding === 5) pngTiles.push(offset);
    offset += 13 + length;
  }
  const tile = how === 'corrupt-first-png' ? pngTiles[0] : pngTiles.at(-1);
  if (tile === undefined) throw new Error('the batch has no PNG tile to corrupt');
  // Inside IHDR, past the 8-byte signature: width and height.
  broken.fill(0xee, tile + 13 + 16, tile + 13 + 24);
  return broken;
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  harness = await startHarness(join(testInfo.project.outputDir, 'harness'));
  page = await openPersonPage(browser, harness.origin, 'technician', contexts, problems);
  await page.routeWebSocket(/\/api\/sessions\/[^/]+\/ws$/, (ws) => {
    const server = ws.connectToServer();
    serverSide = server;
    ws.onMessage((message) => {
      if (typeof message === 'string') {
        const parsed = JSON.parse(message) as ConsoleMessage;
        sent.push({ at: Date.now(), message: parsed });
        if (parsed.type === 'refresh' && heldRefreshes !== null) return void heldRefreshes.push(message);
      }
      server.send(message);
    });
    server.onMessage((message) => {
      const how = typeof message === 'string' ? undefined : breakNext.shift();
      ws.send(how === undefined || typeof message === 'string' ? message : breakFrame(message, how));
    });
  });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) await attachScreenshot(page, 'screen-tools', testInfo);
});

test.afterAll(async () => {
  for (const each of contexts) await each.close();
  await harness?.stop();
});

function remoteScreen(): Locator {
  return page.locator('canvas[data-remote-screen]');
}

function tool(id: string): Locator {
  return page.locator(`button[data-tool="${id}"]`);
}

async function shortcut(letter: string): Promise<void> {
  await page.keyboard.press(`Control+Alt+Shift+Key${letter}`);
}

async function eventsSince(since: number): Promise<PatternEvent[]> {
  return (await harness.events()).slice(since);
}

/** The keys the test pattern saw pressed since `since`, as `keysym/state`. */
async function pressesSince(since: number): Promise<string[]> {
  return (await eventsSince(since)).filter((e) => e.event === 'key_press').map((e) => `${(e.keysym ?? 0).toString(16)}/${e.state ?? 0}`);
}

/** Checks an RGBA picture of the whole remote screen against the test pattern. */
function patternMismatches(png: PNG): string[] {
  const wrong: string[] = [];
  const probes: [number, number, [number, number, number]][] = [
    ...BARS.map((rgb, index): [number, number, [number, number, number]] => [Math.floor((SCREEN.width / 8) * (index + 0.5)), SCREEN.height / 4, rgb]),
    [SCREEN.width / 8, (SCREEN.height * 3) / 4, GREY],
    [SCREEN.width - 1, SCREEN.height - 1, GREY],
  ];
  for (const [x, y, want] of probes) {
    const offset = (png.width * y + x) * 4;
    const got = [png.data[offset], png.data[offset + 1], png.data[offset + 2]].map((v) => v ?? -1);
    if (got.some((value, channel) => Math.abs(value - (want[channel] ?? 0)) > TOLERANCE)) wrong.push(`(${x},${y}): rgb(${got.join(',')}), want rgb(${want.join(',')})`);
  }
  return wrong;
}

async function canvasShowsPattern(): Promise<void> {
  await expect(async () => {
    const png = PNG.sync.read(await remoteScreen().screenshot({ animations: 'disabled' }));
    expect(Math.abs(png.width - SCREEN.width)).toBeLessThanOrEqual(1);
    expect(patternMismatches(png)).toEqual([]);
  }).toPass({ timeout: 15_000 });
}

test('bad batches are dropped whole; refreshes, at most one a second, restore the picture', async () => {
  await signIn(page, harness.adminEmail, harness.adminPassword);
  await expect(page).toHaveURL(/\/console\/devices$/);
  await harness.startAgent();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: DEVICE_NAME, exact: true }) });
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  // The first picture has its last PNG tile broken: none of its tiles may be painted.
  // Its refresh is held back meanwhile, so the canvas shows what the worker did.
  breakNext.push('corrupt-last-png');
  heldRefreshes = [];
  await row.getByRole('button', { name: fill(en['devices.connectTo'], { name: DEVICE_NAME }) }).click();
  await expect(page.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await expect.poll(() => heldRefreshes?.length).toBe(1);
  const notice = page.getByTestId('frame-damaged');
  await expect(notice).toHaveText(en['tools.damaged']);
  await showActualSize(page, true);
  const blank = PNG.sync.read(await remoteScreen().screenshot({ animations: 'disabled' }));
  const painted = [...BARS.slice(0, 7), GREY].filter((rgb, index) => {
    const [x, y] = index < 7 ? [Math.floor((SCREEN.width / 8) * (index + 0.5)), SCREEN.height / 4] : [SCREEN.width / 8, (SCREEN.height * 3) / 4];
    const offset = (blank.width * y + x) * 4;
    return [0, 1, 2].every((channel) => Math.abs((blank.data[offset + channel] ?? 0) - (rgb[channel] ?? 0)) <= TOLERANCE);
  });
  expect(painted, 'no tile of the broken batch was painted').toEqual([]);

  // The refresh brings a picture cut short, and the next one a broken first PNG tile.
  breakNext.push('truncate', 'corrupt-first-png');
  const held = heldRefreshes ?? [];
  heldRefreshes = null;
  for (const message of held) serverSide?.send(message);
  await expect(notice).toBeHidden({ timeout: 10_000 });
  expect(breakNext).toEqual([]);
  await canvasShowsPattern();

  const refreshes = sent.filter((s) => s.message.type === 'refresh');
  expect(refreshes).toHaveLength(3);
  const [, second, third] = refreshes;
  // The third bad batch came right after the second refresh, yet the next one waited its turn.
  expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(900);
  // Every batch was acknowledged, the broken ones too, so the stream never stalled.
  expect(sent.filter((s) => s.message.type === 'frame_ack').length).toBeGreaterThanOrEqual(4);
});

test('every tool has an icon, a label, a tooltip with its shortcut, and the help lists the shortcuts', async () => {
  const toolbar = page.getByRole('toolbar', { name: en['tools.label'] });
  const buttons = toolbar.getByRole('button');
  const count = await buttons.count();
  expect(count).toBe(10);
  for (let index = 0; index < count; index += 1) {
    const button = buttons.nth(index);
    const label = await button.getAttribute('aria-label');
    const keys = await button.getAttribute('aria-keyshortcuts');
    expect(label, `button ${index} has a label`).toBeTruthy();
    expect(keys, `${label} has a shortcut`).toMatch(/^Control\+Alt\+Shift\+[A-Z]$/);
    const letter = keys?.slice(-1) ?? '?';
    await expect(button).toHaveAttribute('title', `${label} (Ctrl+Alt+Shift+${letter})`);
    await expect(button.locator('svg')).toHaveCount(1);
  }
  await expect(tool('control')).toHaveAttribute('aria-pressed', 'true');
  await expect(tool('sharing')).toHaveAttribute('aria-pressed', 'false');

  await remoteScreen().focus();
  const since = (await harness.events()).length;
  await shortcut('H');
  const help = page.getByRole('dialog', { name: en['tools.help.title'] });
  await expect(help).toBeVisible();
  for (const [letter, label] of [
    ['S', en['tools.sharing']],
    ['C', en['tools.control']],
    ['F', en['tools.fullscreen']],
    ['K', en['tools.specialKeys']],
    ['O', en['tools.keyboard']],
    ['P', en['tools.screenshot']],
    ['E', en['tools.end']],
    ['V', en['clipboard.title']],
    ['B', en['block.block']],
    ['Q', en['screenMode.label']],
    ['M', en['monitor.label']],
  ] as const) {
    await expect(help.getByTestId('shortcut-list')).toContainText(`Ctrl+Alt+Shift+${letter}${label}`);
  }
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  // The shortcut's H (and the Escape that closed the help) never reached the device.
  await page.waitForTimeout(300);
  expect((await pressesSince(since)).filter((p) => p.startsWith('68/') || p.startsWith('48/') || p.startsWith('ff1b/'))).toEqual([]);
});

test('actual size scrolls when the screen is larger than the window, and clicks land right', async () => {
  await page.setViewportSize({ width: 900, height: 650 });
  try {
    await expect(tool('actual-size')).toHaveAttribute('aria-pressed', 'true');
    const viewport = page.locator('.session-viewport');
    await expect(remoteScreen()).toHaveJSProperty('clientWidth', SCREEN.width);
    const sizes = await viewport.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, scrollHeight: el.scrollHeight, clientHeight: el.clientHeight }));
    expect(sizes.scrollWidth).toBeGreaterThan(sizes.clientWidth);
    expect(sizes.scrollHeight).toBeGreaterThan(sizes.clientHeight);
    await viewport.evaluate((el) => el.scrollTo(el.scrollWidth, el.scrollHeight));
    const box = await viewport.boundingBox();
    if (box === null) throw new Error('no viewport');
    const since = (await harness.events()).length;
    // The bottom right corner of the remote screen is now in view.
    await page.mouse.click(box.x + box.width - 30, box.y + box.height - 30);
    await expect.poll(async () => (await eventsSince(since)).some((e) => e.event === 'button_press'), { timeout: 10_000 }).toBe(true);
    const press = (await eventsSince(since)).find((e) => e.event === 'button_press');
    const scrolled = await viewport.evaluate((el) => ({ left: el.scrollLeft, top: el.scrollTop }));
    expect(scrolled.left).toBeGreaterThan(0);
    expect(Math.abs((press?.x ?? -100) - (box.width - 30 + scrolled.left))).toBeLessThanOrEqual(20);
    expect(press?.x ?? 0).toBeGreaterThan(SCREEN.width - 60);
    expect(press?.y ?? 0).toBeGreaterThan(SCREEN.height - 60);

    // Ctrl+Alt+Shift+A goes back to fit: no scrolling.
    await remoteScreen().focus();
    await shortcut('A');
    await expect(tool('actual-size')).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(() => viewport.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  } finally {
    await page.setViewportSize({ width: 1600, height: 1050 });
  }
});

test('special key combinations reach the X server as presses with their modifiers', async () => {
  await remoteScreen().focus();
  let since = (await harness.events()).length;
  await tool('special-keys').click();
  const menu = page.getByRole('menu', { name: en['tools.specialKeys'] });
  await menu.getByRole('menuitem', { name: en['specialKeys.ctrlAltDel'] }).click();
  await expect(menu).toBeHidden();
  await expect.poll(() => pressesSince(since), { timeout: 10_000 }).toContain(`ffff/${CONTROL_MASK | MOD1_MASK}`);

  // From the keyboard: the shortcut opens the menu, arrows move, Enter sends.
  since = (await harness.events()).length;
  await remoteScreen().focus();
  await shortcut('K');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  const items = await menu.getByRole('menuitem').allTextContents();
  // (Ctrl+Alt+F1..F7 are not checked here: the X server itself takes them, as
  // virtual terminal switches, so no client ever sees them.)
  const target = items.indexOf(en['specialKeys.altF4']);
  for (let step = 0; step < target; step += 1) await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: en['specialKeys.altF4'] })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect.poll(() => pressesSince(since), { timeout: 10_000 }).toContain(`ffc1/${MOD1_MASK}`);

  since = (await harness.events()).length;
  await tool('special-keys').click();
  await menu.getByRole('menuitem', { name: en['specialKeys.altShiftTab'] }).click();
  // Shift+Tab reads as ISO_Left_Tab where the keymap has it.
  await expect
    .poll(async () => (await pressesSince(since)).filter((p) => p === `ff09/${SHIFT_MASK | MOD1_MASK}` || p === `fe20/${SHIFT_MASK | MOD1_MASK}`), { timeout: 10_000 })
    .toHaveLength(1);
  since = (await harness.events()).length;
  await tool('special-keys').click();
  await menu.getByRole('menuitem', { name: en['specialKeys.super'] }).click();
  await expect.poll(() => pressesSince(since), { timeout: 10_000 }).toContain('ffeb/0');
  // Every key went up again.
  await expect
    .poll(async () => {
      const events = await eventsSince(since);
      return events.filter((e) => e.event === 'key_release').length - events.filter((e) => e.event === 'key_press').length;
    })
    .toBe(0);
});

test('the on-screen keyboard types on the device, with sticky modifiers', async () => {
  await remoteScreen().focus();
  await shortcut('O');
  const keyboard = page.getByTestId('on-screen-keyboard');
  await expect(keyboard).toBeVisible();
  await expect(tool('keyboard')).toHaveAttribute('aria-pressed', 'true');
  const key = (id: string): Locator => keyboard.locator(`button[data-key="${id}"]`);
  const since = (await harness.events()).length;
  await key('char-104').click();
  await key('char-105').click();
  await key('shift').click();
  await expect(key('shift')).toHaveAttribute('aria-pressed', 'true');
  await expect(key('char-49')).toHaveText('!');
  await key('char-49').click();
  await expect(key('shift')).toHaveAttribute('aria-pressed', 'false');
  await expect(key('char-49')).toHaveText('1');
  await key('control').click();
  await key('char-99').click();
  await key('f5').click();
  await key('enter').click();
  await expect
    .poll(
      async () =>
        (await eventsSince(since))
          .filter((e) => e.event === 'key_press' && typeof e.text === 'string' && e.text !== '')
          .map((e) => e.text)
          .join(''),
      { timeout: 10_000 },
    )
    .toBe('hi!c');
  // Enter is the last key typed: once it is in, so are the others.
  await expect.poll(() => pressesSince(since), { timeout: 10_000 }).toContain('ff0d/0');
  const presses = await pressesSince(since);
  expect(presses).toContain(`63/${CONTROL_MASK}`);
  expect(presses).toContain('ffc2/0');
  // The remote screen kept the focus, so the real keyboard still types there.
  await expect(remoteScreen()).toBeFocused();
  await shortcut('O');
  await expect(keyboard).toBeHidden();
});

test('a screenshot downloads as a PNG named after the device and holds the remote picture', async () => {
  const download = page.waitForEvent('download');
  await tool('screenshot').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^reach-${DEVICE_NAME}-\\d{8}-\\d{6}\\.png$`));
  const path = await file.path();
  const png = PNG.sync.read(await readFile(path));
  expect([png.width, png.height]).toEqual([SCREEN.width, SCREEN.height]);
  expect(patternMismatches(png)).toEqual([]);
  await expect(page.getByTestId('tool-status')).toHaveText(fill(en['tools.saved'], { name: file.suggestedFilename() }));
});

test('a screenshot copies to the clipboard as an image/png', async () => {
  await tool('copy-screenshot').click();
  await expect(page.getByTestId('tool-status')).toHaveText(en['tools.copied']);
  const base64 = await page.evaluate(async () => {
    const [item] = await navigator.clipboard.read();
    if (item === undefined || !item.types.includes('image/png')) return null;
    const bytes = new Uint8Array(await (await item.getType('image/png')).arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  });
  expect(base64).not.toBeNull();
  const png = PNG.sync.read(Buffer.from(base64 ?? '', 'base64'));
  expect([png.width, png.height]).toEqual([SCREEN.width, SCREEN.height]);
  expect(patternMismatches(png)).toEqual([]);
});

test('full screen captures the keyboard: Escape goes to the device, the shortcut leaves', async () => {
  await remoteScreen().focus();
  await shortcut('F');
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.classList.contains('session-viewport') ?? false)).toBe(true);
  await expect(tool('fullscreen')).toHaveAttribute('aria-pressed', 'true');
  const hint = page.getByTestId('fullscreen-hint');
  await expect(hint).toBeVisible();
  const locked = (await hint.getAttribute('data-keyboard-locked')) === 'true';
  const hasKeyboardLock = await page.evaluate(() => typeof (navigator as Navigator & { keyboard?: { lock?: unknown } }).keyboard?.lock === 'function');
  // Chromium offers the Keyboard Lock API; where it does, the console uses it.
  expect(locked).toBe(hasKeyboardLock);
  await expect(hint).toHaveText(fill(locked ? en['tools.fullscreenLeave'] : en['tools.fullscreenLeaveUnlocked'], { shortcut: 'Ctrl+Alt+Shift+F' }));
  await expect(remoteScreen()).toBeFocused();
  const since = (await harness.events()).length;
  await page.keyboard.press('Escape');
  await page.keyboard.press('F11');
  await expect.poll(() => pressesSince(since), { timeout: 10_000 }).toEqual(['ff1b/0', 'ffc8/0']);
  expect(await page.evaluate(() => document.fullscreenElement !== null)).toBe(true);
  await shortcut('F');
  await expect.poll(() => page.evaluate(() => document.fullscreenElement === null)).toBe(true);
  await expect(tool('fullscreen')).toHaveAttribute('aria-pressed', 'false');
});

test('pausing screen sharing shows it paused, as the server says, even after a reload; resuming repaints', async () => {
  await tool('sharing').click();
  await expect(tool('sharing')).toHaveAttribute('aria-pressed', 'true');
  const paused = page.getByTestId('screen-paused');
  await expect(paused).toContainText(en['tools.paused']);
  expect(sent.some((s) => s.message.type === 'screen_sharing' && s.message.paused)).toBe(true);
  await expect(tool('refresh')).toBeDisabled();

  await page.reload();
  await expect(page.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await expect(paused).toBeVisible();
  await expect(tool('sharing')).toHaveAttribute('aria-pressed', 'true');

  // After the reload nothing has the focus: the shortcut works from anywhere.
  await shortcut('S');
  await expect(paused).toBeHidden();
  await expect(tool('sharing')).toHaveAttribute('aria-pressed', 'false');
  await showActualSize(page, true);
  await canvasShowsPattern();
});

test('releasing control stops input; taking it back restores it', async () => {
  await remoteScreen().click({ position: { x: 50, y: 700 } });
  await tool('control').click();
  await expect(tool('control')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('control-released')).toHaveText(en['tools.released']);
  await expect(tool('special-keys')).toBeDisabled();
  await expect(tool('keyboard')).toBeDisabled();
  await remoteScreen().focus();
  const since = (await harness.events()).length;
  await page.keyboard.type('xyz');
  await remoteScreen().click({ position: { x: 60, y: 700 } });
  await page.waitForTimeout(500);
  expect((await eventsSince(since)).filter((e) => e.event === 'key_press' || e.event === 'button_press')).toEqual([]);

  await remoteScreen().focus();
  await shortcut('C');
  await expect(tool('control')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('control-released')).toHaveCount(0);
  await page.keyboard.type('ok');
  await expect
    .poll(async () => (await eventsSince(since)).filter((e) => e.event === 'key_press').map((e) => e.text).join(''), { timeout: 10_000 })
    .toBe('ok');
});

test('the console broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
