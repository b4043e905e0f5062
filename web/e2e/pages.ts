// Small page helpers shared by the end-to-end specs: filling catalogue
// placeholders, signing in, finding rows and dialogs by what people read,
// adding a user, and the session screen's scale.

import { expect, type Browser, type BrowserContext, type Locator, type Page, type TestInfo } from '@playwright/test';
import { en } from '../src/i18n/en.ts';

/** A catalogue text with its `{name}` placeholders filled, as the console shows it. */
export function fill(text: string, params: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** Signs in through the sign-in page (where the browser lands is the caller's to check). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/console/login');
  await page.getByLabel(en['login.email'], { exact: true }).fill(email);
  await page.getByLabel(en['login.password'], { exact: true }).fill(password);
  await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
}

/** The row of a table in `scope` whose row header reads `name`. */
export function row(scope: Locator, name: string): Locator {
  // `has` is relative to the row, so it must not repeat the scope's own chain.
  return scope.getByRole('row').filter({ has: scope.page().getByRole('rowheader', { name, exact: true }) });
}

/** A row whose header starts with `name` (users and roles carry badges after it). */
export function rowStarting(scope: Locator, name: string): Locator {
  return scope.getByRole('row').filter({ has: scope.page().getByRole('rowheader').filter({ hasText: new RegExp(`^${name}`) }) });
}

/** The open dialog titled `title`. */
export function dialog(page: Page, title: string): Locator {
  return page.getByRole('dialog', { name: title, exact: true });
}

/** Adds a user from the Users page; returns the generated password when none was given. */
export async function addUser(page: Page, user: { email: string; name: string; password?: string }, roles: string[] = []): Promise<string | null> {
  await page.getByRole('main').getByRole('button', { name: en['users.add'], exact: true }).first().click();
  const form = dialog(page, en['users.addTitle']);
  await form.getByLabel(en['users.email'], { exact: true }).fill(user.email);
  await form.getByLabel(en['users.displayName'], { exact: true }).fill(user.name);
  if (user.password !== undefined) await form.getByLabel(en['users.password'], { exact: true }).fill(user.password);
  for (const role of roles) await form.getByRole('checkbox', { name: role, exact: true }).check();
  await form.getByRole('button', { name: en['users.create'], exact: true }).click();
  const done = dialog(page, en['users.createdTitle']);
  await expect(done).toBeVisible();
  let password: string | null = null;
  if (user.password === undefined) {
    await expect(done.getByText(en['secret.once'])).toBeVisible();
    password = ((await done.getByTestId('generated-password').textContent()) ?? '').trim();
  } else {
    await expect(done.getByTestId('generated-password')).toHaveCount(0);
  }
  await expect(done.getByRole('button', { name: en['common.done'], exact: true })).toBeFocused();
  await done.getByRole('button', { name: en['common.done'], exact: true }).click();
  await expect(done).toBeHidden();
  await expect(rowStarting(page.getByRole('main'), user.name)).toBeVisible();
  return password;
}

/** After a test that failed, attaches a screenshot of `page` to the report. */
export async function attachScreenshot(page: Page | undefined, name: string, testInfo: TestInfo): Promise<void> {
  if (page === undefined || page.isClosed()) return;
  const path = testInfo.outputPath(`${name}-page.png`);
  await page.screenshot({ path });
  await testInfo.attach(`${name} page`, { path, contentType: 'image/png' });
}

/**
 * Opens a page in a new browser context (one person's browser) against `origin`, in English
 * at a fixed size, allowed to use the clipboard. The context goes into `contexts` (for tracing and closing), and uncaught
 * errors and CSP refusals go into `problems`, named by `who`.
 */
export async function openPersonPage(browser: Browser, origin: string, who: string, contexts: BrowserContext[], problems: string[]): Promise<Page> {
  const context = await browser.newContext({
    baseURL: origin,
    ignoreHTTPSErrors: true,
    viewport: { width: 1600, height: 1050 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    // Copy buttons are checked by reading the clipboard back.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`${who}: uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`${who}: ${message.text()}`);
  });
  return page;
}

/** Switches the session's screen to actual size (1:1) or to scaled to fit, with the toolbar's toggle. */
export async function showActualSize(page: Page, on: boolean): Promise<void> {
  const toggle = page.locator('button[data-tool="actual-size"]');
  if ((await toggle.getAttribute('aria-pressed')) !== String(on)) await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', String(on));
}
