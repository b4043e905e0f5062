import { defineConfig } from '@playwright/test';

/**
 * `reach bench latency` runs latency.spec.ts with this configuration against the
 * server it started (REACH_BENCH_* variables). Not part of `npm run e2e`. The
 * browser is Debian's Chromium with the flags the benchmarks fix; Playwright
 * must never download one.
 */
export default defineConfig({
  testDir: '.',
  testMatch: 'latency.spec.ts',
  outputDir: '../test-results/bench',
  workers: 1,
  retries: 0,
  reporter: 'list',
  // A backstop against a hung run: 200 presses take well under a minute.
  timeout: 900_000,
  use: {
    browserName: 'chromium',
    baseURL: process.env['REACH_BENCH_ORIGIN'],
    ignoreHTTPSErrors: true,
    viewport: { width: 1600, height: 1050 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
