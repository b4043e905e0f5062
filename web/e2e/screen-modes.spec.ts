// Screen colour modes end to end: a real server, a real agent on Xvfb showing
// the test pattern, and Chromium. The technician switches modes from the
// session toolbar (the keyboard shortcut and the menu), and the canvas pixels
// show the pattern in the mode's colours.

import { join } from 'node:path';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { en } from '../src/i18n/en.ts';
import { DEVICE_NAME, SCREEN, startHarness, type Harness } from './harness.ts';

test.describe.configure({ mode: 'serial' });

type Rgb = [number, number, number];
const TOLERANCE = 8;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

let harness: Harness;
let context: BrowserContext;
let page: Page;
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
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await harness.startAgent();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus || page === undefined) return;
  const path = testInfo.outputPath('screen-modes-page.png');
  await page.screenshot({ path });
  await testInfo.attach('console page', { path, contentType: 'image/png' });
});

test.afterAll(async () => {
  await context?.close();
  await harness?.stop();
});

function modeButton(): Locator {
  return page.locator('button[data-screen-mode]');
}

function remoteScreen(): Locator {
  return page.locator('canvas[data-remote-screen]');
}

/** Probe points: the centre of each bar of the pattern's top half, and the grey bottom half. */
const BAR_Y = SCREEN.height / 4;
const GREY_Y = (SCREEN.height * 3) / 4;
function barX(index: number): number {
  return Math.floor((SCREEN.width / 8) * (index + 0.5));
}

/** Reads the canvas at 1:1 and checks `check` on it until it passes. */
async function canvasShows(check: (png: PNG, at: (x: number, y: number) => Rgb) => string[]): Promise<void> {
  await expect(async () => {
    const png = PNG.sync.read(await remoteScreen().screenshot({ animations: 'disabled' }));
    const at = (x: number, y: number): Rgb => {
      const offset = (png.width * y + x) * 4;
      return [png.data[offset] ?? -1, png.data[offset + 1] ?? -1, png.data[offset + 2] ?? -1];
    };
    expect(check(png, at)).toEqual([]);
  }).toPass({ timeout: 20_000 });
}

function near(got: Rgb, want: Rgb): boolean {
  return got.every((value, channel) => Math.abs(value - (want[channel] ?? 0)) <= TOLERANCE);
}

/** Problems with the probes: `[name, x, y, wanted colour]`. */
function probeProblems(at: (x: number, y: number) => Rgb, probes: [string, number, number, Rgb][]): string[] {
  return probes.filter(([, x, y, want]) => !near(at(x, y), want)).map(([name, x, y, want]) => `${name} at (${x},${y}): got rgb(${at(x, y).join(',')}), want rgb(${want.join(',')})`);
}

test('the technician signs in and opens a session in all colours', async () => {
  await page.goto('/console/');
  await page.getByLabel(en['login.email'], { exact: true }).fill(harness.adminEmail);
  await page.getByLabel(en['login.password'], { exact: true }).fill(harness.adminPassword);
  await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: DEVICE_NAME, exact: true }) });
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await row.getByRole('button', { name: en['devices.connectTo'].replace('{name}', DEVICE_NAME) }).click();
  await expect(page.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await page.locator('button[data-tool="actual-size"]').click();
  await expect(remoteScreen()).toHaveJSProperty('clientWidth', SCREEN.width);
  await expect(modeButton()).toHaveAttribute('data-screen-mode', 'all_colours');
  await expect(modeButton()).toHaveText(en['screenMode.all_colours']);
  await expect(modeButton()).toHaveAttribute('title', en['screenMode.hint'].replace('{mode}', en['screenMode.all_colours']));
  await canvasShows((_, at) => probeProblems(at, [['grey', barX(1), GREY_Y, [128, 128, 128]]]));
});

test('Ctrl+Alt+Shift+Q then 1 switches to black and white, and the key never reaches the device', async () => {
  const canvas = remoteScreen();
  await canvas.click({ position: { x: 5, y: SCREEN.height - 5 } });
  await expect(canvas).toBeFocused();
  const since = (await harness.events()).length;
  await page.keyboard.press('Control+Alt+Shift+KeyQ');
  const menu = page.getByRole('menu', { name: en['screenMode.label'] });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitemradio', { name: new RegExp(en['screenMode.all_colours']) })).toHaveAttribute('aria-checked', 'true');
  await expect(menu.getByRole('menuitemradio', { name: new RegExp(en['screenMode.all_colours']) })).toBeFocused();
  await page.keyboard.press('Digit1');
  await expect(menu).toBeHidden();
  await expect(modeButton()).toHaveAttribute('data-screen-mode', 'black_and_white');
  await expect(modeButton()).toHaveText(en['screenMode.black_and_white']);
  await canvasShows((png, at) => {
    const problems = probeProblems(at, [
      ['white bar', barX(0), BAR_Y, WHITE],
      ['yellow bar', barX(1), BAR_Y, WHITE],
      ['cyan bar', barX(2), BAR_Y, WHITE],
      ['green bar', barX(3), BAR_Y, WHITE],
      ['magenta bar', barX(4), BAR_Y, BLACK],
      ['red bar', barX(5), BAR_Y, BLACK],
      ['blue bar', barX(6), BAR_Y, BLACK],
      ['black bar', barX(7), BAR_Y, BLACK],
      ['mid-grey', barX(3), GREY_Y, WHITE],
    ]);
    // Every pixel of the picture is black or white.
    for (let y = 0; y < Math.min(png.height, SCREEN.height) && problems.length < 5; y += 7) {
      for (let x = 0; x < Math.min(png.width, SCREEN.width); x += 5) {
        const got = at(x, y);
        if (!near(got, WHITE) && !near(got, BLACK)) {
          problems.push(`(${x},${y}) is rgb(${got.join(',')}), neither black nor white`);
          break;
        }
      }
    }
    return problems;
  });
  // Ctrl, Alt and Shift went to the device; the Q did not.
  const keys = (await harness.events()).slice(since).filter((e) => e.event === 'key_press');
  expect(keys.filter((e) => e.keysym === 0x71 || e.keysym === 0x51)).toEqual([]);
});

test('the menu switches to few colours, more colours and back to all colours', async () => {
  const steps: [string, string, Rgb][] = [
    ['few_colours', en['screenMode.few_colours'], [153, 153, 153]],
    ['more_colours', en['screenMode.more_colours'], [132, 130, 132]],
    ['all_colours', en['screenMode.all_colours'], [128, 128, 128]],
  ];
  for (const [mode, name, grey] of steps) {
    await modeButton().click();
    await page.getByRole('menuitemradio', { name: new RegExp(name) }).click();
    await expect(modeButton()).toHaveAttribute('data-screen-mode', mode);
    await canvasShows((_, at) =>
      probeProblems(at, [
        ['grey', barX(3), GREY_Y, grey],
        ['yellow bar', barX(1), BAR_Y, [255, 255, 0]],
        ['blue bar', barX(6), BAR_Y, [0, 0, 255]],
      ]),
    );
  }
  expect(problems).toEqual([]);
});

test('a reloaded console shows the mode the session is in', async () => {
  await modeButton().click();
  await page.keyboard.press('Digit2');
  await expect(modeButton()).toHaveAttribute('data-screen-mode', 'few_colours');
  await page.reload();
  await expect(page.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await expect(modeButton()).toHaveAttribute('data-screen-mode', 'few_colours');
  await page.locator('button[data-tool="actual-size"]').click();
  await canvasShows((_, at) => probeProblems(at, [['grey', barX(3), GREY_Y, [153, 153, 153]]]));
});

test('video mode shows the screen through WebCodecs, and tiles come back after it', async () => {
  // From black and white, where the yellow bar is white: only video paints it yellow again.
  await modeButton().click();
  await page.keyboard.press('Digit1');
  await canvasShows((_, at) => probeProblems(at, [['yellow bar', barX(1), BAR_Y, WHITE]]));
  await modeButton().click();
  await page.keyboard.press('Digit5');
  await expect(modeButton()).toHaveAttribute('data-screen-mode', 'video');
  // H.264 is close to the source, not exact: a wider tolerance than tiles.
  const videoTolerance = 24;
  await expect(async () => {
    const png = PNG.sync.read(await remoteScreen().screenshot({ animations: 'disabled' }));
    const at = (x: number, y: number): Rgb => {
      const offset = (png.width * y + x) * 4;
      return [png.data[offset] ?? -1, png.data[offset + 1] ?? -1, png.data[offset + 2] ?? -1];
    };
    const probes: [string, number, number, Rgb][] = [
      ['white bar', barX(0), BAR_Y, WHITE],
      ['yellow bar', barX(1), BAR_Y, [255, 255, 0]],
      ['green bar', barX(3), BAR_Y, [0, 255, 0]],
      ['red bar', barX(5), BAR_Y, [255, 0, 0]],
      ['blue bar', barX(6), BAR_Y, [0, 0, 255]],
      ['grey', barX(3), GREY_Y, [128, 128, 128]],
    ];
    const wrong = probes
      .filter(([, x, y, want]) => at(x, y).some((value, channel) => Math.abs(value - (want[channel] ?? 0)) > videoTolerance))
      .map(([name, x, y, want]) => `${name}: got rgb(${at(x, y).join(',')}), want about rgb(${want.join(',')})`);
    expect(wrong).toEqual([]);
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId('video-problem')).toHaveCount(0);

  await modeButton().click();
  await page.keyboard.press('Digit4');
  await expect(modeButton()).toHaveAttribute('data-screen-mode', 'all_colours');
  await canvasShows((_, at) => probeProblems(at, [['grey', barX(3), GREY_Y, [128, 128, 128]]]));
  expect(problems).toEqual([]);
});

test('a browser that cannot decode the video says so and stays in tiles', async ({ browser }) => {
  const session = page.url();
  const other = await browser.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true, viewport: { width: 1600, height: 1050 }, deviceScaleFactor: 1, locale: 'en-US' });
  try {
    await other.addInitScript(() => {
      VideoDecoder.isConfigSupported = async (config) => ({ supported: false, config });
    });
    // The same technician, signed in from this browser too.
    await other.addCookies(await context.cookies());
    const second = await other.newPage();
    await second.goto(session);
    await expect(second.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
    const button = second.locator('button[data-screen-mode]');
    await expect(button).toHaveAttribute('data-screen-mode', 'all_colours');
    await button.click();
    await second.getByRole('menuitemradio', { name: new RegExp(en['screenMode.video']) }).click();
    await expect(second.getByTestId('video-problem')).toHaveText(en['screenMode.videoUnsupported']);
    await expect(button).toHaveAttribute('data-screen-mode', 'all_colours');
    await expect(button).toHaveText(en['screenMode.all_colours']);
  } finally {
    await other.close();
  }
});
