// Small page helpers shared by the end-to-end specs: filling catalogue
// placeholders, signing in, and finding rows and dialogs by what people read.

import type { Locator, Page } from '@playwright/test';
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
