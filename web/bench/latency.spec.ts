// Input-to-pixel latency in the console, run by `reach bench latency` (which
// starts Xvfb, the colour-flipping X client, the server and the agent, and
// passes them in REACH_BENCH_* variables). Signs in, connects to the device,
// then presses a key N times. The page stamps each key event with its
// event.timeStamp (a capturing listener, ahead of the console's own) and reads
// the console's canvas at the probe point every animation frame, until the
// square there shows its other colour: what a user sees, read the way the
// browser shows it (the canvas is drawn from its worker's OffscreenCanvas).
// Nothing in the console is changed or hooked for this.

import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { en } from '../src/i18n/en.ts';
import { fill, signIn } from '../e2e/pages.ts';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set: run this through \`reach bench latency\``);
  return value;
}

type Rgb = [number, number, number];

interface ProbeState {
  /** The colour being waited for, or null between presses. */
  target: Rgb | null;
  /** The square's other colour: a pixel counts as changed once it is nearer the target. */
  other: Rgb | null;
  pressedAt: number | null;
  /** The probe pixel at the last animation frame. */
  pixel: Rgb;
  latencies: number[];
}

/** Installed in the page: the key stamp and the per-frame canvas reader. */
function installProbe([x, y]: [number, number]): void {
  const screen = document.querySelector<HTMLCanvasElement>('canvas[data-remote-screen]');
  if (screen === null) throw new Error('no remote screen canvas');
  const reader = document.createElement('canvas');
  reader.width = 1;
  reader.height = 1;
  const context = reader.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('no 2D context');
  const state: ProbeState = { target: null, other: null, pressedAt: null, pixel: [0, 0, 0], latencies: [] };
  (window as unknown as { reachLatency: ProbeState }).reachLatency = state;
  window.addEventListener(
    'keydown',
    (event) => {
      if (state.target !== null && state.pressedAt === null) state.pressedAt = event.timeStamp;
    },
    { capture: true },
  );
  // The reduced colour modes and video show the colours approximately: nearest wins.
  const distance = (a: Rgb, b: Rgb): number => a.reduce((sum, value, index) => sum + (value - (b[index] ?? 0)) ** 2, 0);
  const tick = (): void => {
    context.drawImage(screen, x, y, 1, 1, 0, 0, 1, 1);
    const [r = 0, g = 0, b = 0] = context.getImageData(0, 0, 1, 1).data;
    state.pixel = [r, g, b];
    const { target, other } = state;
    if (target !== null && other !== null && state.pressedAt !== null && distance(state.pixel, target) < distance(state.pixel, other)) {
      state.latencies.push(performance.now() - state.pressedAt);
      state.target = null;
      state.pressedAt = null;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function rgb(hex: string): Rgb {
  const value = Number.parseInt(hex, 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

const near = (a: Rgb, b: Rgb): boolean => a.every((value, index) => Math.abs(value - (b[index] ?? 0)) <= 8);
const distance = (a: Rgb, b: Rgb): number => a.reduce((sum, value, index) => sum + (value - (b[index] ?? 0)) ** 2, 0);

/** The screen modes in the order of the console's mode menu (its digit keys). */
const MODES = ['black_and_white', 'few_colours', 'more_colours', 'all_colours', 'video'];

test('key event to changed pixel on the console canvas', async ({ page }) => {
  const presses = Number(env('REACH_BENCH_PRESSES'));
  const [x = 0, y = 0] = env('REACH_BENCH_PROBE').split(',').map(Number);
  const colours = env('REACH_BENCH_COLOURS').split(',').map(rgb);
  const device = env('REACH_BENCH_DEVICE');
  const mode = env('REACH_BENCH_MODE');
  if (!MODES.includes(mode)) throw new Error(`unknown screen mode ${mode}`);

  await signIn(page, env('REACH_BENCH_EMAIL'), env('REACH_BENCH_PASSWORD'));
  await expect(page).toHaveURL(/\/console\/devices$/);
  await page
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: device, exact: true }) })
    .getByRole('button', { name: fill(en['devices.connectTo'], { name: device }) })
    .click();
  await expect(page.locator('[data-phase]')).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 });
  const screen = page.locator('canvas[data-remote-screen]');
  await page.evaluate(installProbe, [x, y] as [number, number]);
  const pixel = async (): Promise<Rgb> => page.evaluate(() => (window as unknown as { reachLatency: ProbeState }).reachLatency.pixel);
  // In all colours the square shows exactly: that is how the first picture is known to be there.
  const exactly = async (): Promise<number> => {
    const seen = await pixel();
    return colours.findIndex((colour) => near(seen, colour));
  };
  await expect.poll(exactly, { timeout: 30_000, message: 'the square appears on the console canvas' }).not.toBe(-1);
  if (mode !== 'all_colours') {
    // Through the console's own mode menu, as a technician would.
    await page.locator('button[data-screen-mode]').click();
    await page.keyboard.press(`Digit${MODES.indexOf(mode) + 1}`);
    await expect(page.locator('button[data-screen-mode]')).toHaveAttribute('data-screen-mode', mode);
    await expect(page.getByTestId('video-problem')).toHaveCount(0);
    // Let the picture in the new mode arrive before timing.
    await page.waitForTimeout(2_000);
  }
  /** Which of the two colours the square shows now (the nearer one). */
  const shown = async (): Promise<number> => {
    const seen = await pixel();
    return distance(seen, colours[0] ?? [0, 0, 0]) <= distance(seen, colours[1] ?? [0, 0, 0]) ? 0 : 1;
  };
  // Focus once the view has settled: focused earlier, it was seen to end up on the page's body.
  await screen.focus();
  await expect(screen).toBeFocused();

  let missed = 0;
  let refocuses = 0;
  for (let press = 0; press < presses; press += 1) {
    const now = await shown();
    const refocused = await page.evaluate(([target, other]) => {
      const state = (window as unknown as { reachLatency: ProbeState }).reachLatency;
      state.target = target ?? null;
      state.other = other ?? null;
      state.pressedAt = null;
      // Keys reach the device only from the focused canvas, as for a user.
      const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-remote-screen]');
      if (canvas === null || document.activeElement === canvas) return false;
      canvas.focus({ preventScroll: true });
      return true;
    }, [colours[1 - now], colours[now]] as const);
    if (refocused) refocuses += 1;
    await page.keyboard.press('KeyA');
    try {
      await page.waitForFunction((count) => (window as unknown as { reachLatency: ProbeState }).reachLatency.latencies.length === count, press + 1 - missed, {
        timeout: 2_000,
      });
    } catch {
      missed += 1;
      if (missed >= 10 && missed > press / 2) {
        const state = await page.evaluate(() => ({
          pixel: (window as unknown as { reachLatency: ProbeState }).reachLatency.pixel,
          focused: document.activeElement?.outerHTML.slice(0, 120) ?? null,
          phase: document.querySelector('[data-phase]')?.getAttribute('data-phase') ?? null,
        }));
        throw new Error(`${missed} of ${press + 1} presses showed no change on the canvas; the page: ${JSON.stringify(state)}`);
      }
      await page.evaluate(() => {
        (window as unknown as { reachLatency: ProbeState }).reachLatency.target = null;
      });
      // Let a late change land before reading which colour is shown.
      await page.waitForTimeout(500);
    }
    // Spaced presses, as typing is, so each one is timed on its own: 50-100 ms apart.
    await page.waitForTimeout(50 + Math.random() * 50);
  }
  const latenciesMs = await page.evaluate(() => (window as unknown as { reachLatency: ProbeState }).reachLatency.latencies);
  writeFileSync(env('REACH_BENCH_OUT'), JSON.stringify({ latenciesMs, missed, refocuses }));
});
