import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests against real processes (Xvfb, the test pattern X client, `reach
 * server`, `reach agent`), driven in the Debian Chromium. Playwright must never
 * download a browser: the executable path is fixed.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  workers: 1,
  retries: 0,
  fullyParallel: false,
  reporter: 'list',
  timeout: 60_000,
  // A backstop against a hung run, not a speed target: the suite takes a few
  // minutes on an idle machine and must not fail because the machine is busy.
  globalTimeout: 900_000,
  expect: { timeout: 10_000 },
  use: {
    browserName: 'chromium',
    ignoreHTTPSErrors: true,
    viewport: { width: 1600, height: 1050 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
