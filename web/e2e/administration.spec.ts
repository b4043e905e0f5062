// Administration end to end, against a real server and agent: roles, users, user
// groups and grants made through the console, then used by the people they were
// made for, each in their own browser context. The tests run in order.

import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import type { AuditCode } from '../src/gen/proto.ts';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { DEVICE_NAME, startHarness, type Harness } from './harness.ts';
import { addUser, attachScreenshot, dialog, fill, row, rowStarting, openPersonPage, signIn } from './pages.ts';

test.describe.configure({ mode: 'serial' });

const ROLE = 'Helpdesk';
const GROUP = 'Front line';
const HELPDESK = { email: 'hannah@example.com', name: 'Hannah Helpdesk' };
const DEPUTY = { email: 'dana@example.com', name: 'Dana Deputy', password: 'deputy-password-0042' };
const SPARE = { email: 'sam@example.com', name: 'Sam Spare', password: 'spare-password-0042' };
/** The display name the server gives the administrator it creates from the environment. */
const ADMIN_NAME = 'Administrator';

let harness: Harness;
const contexts: BrowserContext[] = [];
let admin: Page;
let helpdesk: Page;
let helpdeskPassword = '';
let failed = false;
const problems: string[] = [];

function openPage(browser: Browser, who: string): Promise<Page> {
  return openPersonPage(browser, harness.origin, who, contexts, problems);
}

function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: en['nav.label'] });
}

async function go(page: Page, label: string): Promise<void> {
  await nav(page).getByRole('link', { name: label, exact: true }).click();
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  harness = await startHarness(join(testInfo.project.outputDir, 'harness-administration'));
  admin = await openPage(browser, 'admin');
  await contexts[0]?.tracing.start({ screenshots: true, snapshots: true });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  failed = true;
  await attachScreenshot(admin, 'admin', testInfo);
  await attachScreenshot(helpdesk, 'helpdesk', testInfo);
});

test.afterAll(async ({}, testInfo) => {
  await contexts[0]?.tracing.stop(failed ? { path: join(testInfo.project.outputDir, 'harness-administration', 'trace.zip') } : {});
  for (const context of contexts) await context.close();
  await harness?.stop();
});

test('the administrator signs in and sees every administration page', async () => {
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await expect(admin).toHaveURL(/\/console\/devices$/);
  for (const key of ['nav.enrollment', 'nav.events', 'nav.users', 'nav.roles', 'nav.company', 'nav.companies'] as const) {
    await expect(nav(admin).getByRole('link', { name: en[key], exact: true })).toBeVisible();
  }
});

test('a role with only unattended sessions, view only, is created on the Roles page', async () => {
  await go(admin, en['nav.roles']);
  await expect(admin).toHaveURL(/\/console\/roles$/);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en['roles.title']);
  // The built-in roles are there and read-only.
  const builtin = rowStarting(admin.getByTestId('roles'), en['roles.builtin.technician']);
  await expect(builtin.getByText(en['roles.builtin'], { exact: true })).toBeVisible();
  await expect(builtin.getByRole('button', { name: fill(en['roles.editRole'], { name: en['roles.builtin.technician'] }) })).toHaveCount(0);

  await admin.getByRole('button', { name: en['roles.add'], exact: true }).click();
  const form = dialog(admin, en['roles.createTitle']);
  await expect(form.getByLabel(en['roles.name'], { exact: true })).toBeFocused();
  await form.getByLabel(en['roles.name'], { exact: true }).fill(ROLE);
  await expect(form.getByRole('group', { name: en['roles.area.sessions'] })).toBeVisible();
  await form.getByRole('checkbox', { name: en['permission.session.unattended'], exact: true }).check();
  await form.getByRole('checkbox', { name: en['roles.viewOnly'], exact: true }).check();
  // A relative path is named before anything is sent.
  await form.getByLabel(en['roles.uploadPaths'], { exact: true }).fill('relative/path');
  await form.getByRole('button', { name: en['roles.create'], exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText(fill(en['roles.pathInvalid'], { path: 'relative/path' }));
  await expect(form.getByLabel(en['roles.uploadPaths'], { exact: true })).toBeFocused();
  await form.getByLabel(en['roles.uploadPaths'], { exact: true }).fill('');
  await form.getByRole('button', { name: en['roles.create'], exact: true }).click();
  await expect(form).toBeHidden();

  const created = rowStarting(admin.getByTestId('roles'), ROLE);
  await expect(created).toContainText(fill(en['roles.permissionCount'], { count: '1', total: '17' }));
  await expect(created).toContainText(en['roles.viewOnlyBadge']);
});

test('a user added without a password gets one generated and shown once', async () => {
  await go(admin, en['nav.users']);
  await expect(admin).toHaveURL(/\/console\/users$/);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en['users.title']);
  const password = await addUser(admin, HELPDESK);
  expect(password ?? '').toMatch(/^\S{12,}$/);
  helpdeskPassword = password ?? '';
  // Nothing on the page shows it again.
  await expect(admin.getByText(helpdeskPassword)).toHaveCount(0);
  await expect(rowStarting(admin.getByRole('main'), HELPDESK.name)).toContainText(en['users.status.active']);
});

test('the Roles page grants Helpdesk to the user on the whole company', async () => {
  await go(admin, en['nav.roles']);
  await admin.getByRole('button', { name: fill(en['roles.grantRole'], { name: ROLE }), exact: true }).click();
  const form = dialog(admin, en['grants.createTitle']);
  await expect(form.getByLabel(en['grants.role'], { exact: true })).toHaveValue(/.+/);
  await form.getByRole('radio', { name: en['grants.kind.user'], exact: true }).check();
  await form.getByRole('combobox', { name: en['grants.user'], exact: true }).selectOption({ label: `${HELPDESK.name} (${HELPDESK.email})` });
  await expect(form.getByRole('combobox', { name: en['grants.scope'], exact: true })).toHaveValue('');
  await form.getByRole('button', { name: en['grants.create'], exact: true }).click();
  await expect(form).toBeHidden();
  const grant = row(admin.getByTestId('grants'), ROLE);
  await expect(grant).toContainText(HELPDESK.name);
  await expect(grant).toContainText(en['grants.scope.company']);
  // The owner's Administrator grant is listed by name and cannot be revoked.
  const ownerGrant = row(admin.getByTestId('grants'), en['roles.builtin.administrator']).filter({ hasText: ADMIN_NAME });
  await expect(ownerGrant).toContainText(en['grants.scope.company']);
  await expect(ownerGrant.getByRole('button')).toHaveCount(0);
});

test('a user group is created with the user in it', async () => {
  await go(admin, en['nav.users']);
  await admin.getByRole('navigation', { name: en['users.tabs'] }).getByRole('link', { name: en['groups.title'], exact: true }).click();
  await expect(admin).toHaveURL(/\/console\/groups$/);
  await expect(nav(admin).getByRole('link', { name: en['nav.users'], exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(admin.getByRole('heading', { level: 2, name: en['groups.emptyTitle'] })).toBeVisible();
  await admin.getByRole('main').getByRole('button', { name: en['groups.add'], exact: true }).first().click();
  const form = dialog(admin, en['groups.createTitle']);
  await form.getByLabel(en['groups.name'], { exact: true }).fill(GROUP);
  await form.getByRole('checkbox', { name: HELPDESK.name, exact: true }).check();
  await form.getByRole('button', { name: en['groups.create'], exact: true }).click();
  await expect(form).toBeHidden();
  await expect(row(admin.getByRole('main'), GROUP)).toContainText(HELPDESK.name);

  await admin.getByRole('navigation', { name: en['users.tabs'] }).getByRole('link', { name: en['users.title'], exact: true }).click();
  await expect(rowStarting(admin.getByRole('main'), HELPDESK.name)).toContainText(GROUP);
});

test('the new user signs in with the generated password and sees no administration', async ({ browser }) => {
  helpdesk = await openPage(browser, 'helpdesk');
  await signIn(helpdesk, HELPDESK.email, helpdeskPassword);
  await expect(helpdesk).toHaveURL(/\/console\/devices$/);
  await expect(nav(helpdesk).getByRole('link', { name: en['nav.devices'], exact: true })).toBeVisible();
  await expect(nav(helpdesk).getByRole('link', { name: en['nav.sessions'], exact: true })).toBeVisible();
  for (const key of ['nav.users', 'nav.roles', 'nav.events', 'nav.enrollment', 'nav.company', 'nav.companies'] as const) {
    await expect(nav(helpdesk).getByRole('link', { name: en[key], exact: true })).toHaveCount(0);
  }
  // A typed address is refused plainly.
  await helpdesk.goto('/console/roles');
  await expect(helpdesk.getByRole('alert')).toContainText(en['forbidden.title']);
  // The account page lists what the role allows.
  await helpdesk.goto('/console/account');
  await expect(helpdesk.getByTestId('account-operator')).toHaveText(en['account.operatorNo']);
  await expect(helpdesk.getByTestId('account-permissions').getByRole('listitem')).toHaveText([en['permission.session.unattended']]);
});

test('a session through the view-only role shows the badge and sends no input', async () => {
  await harness.startAgent();
  // What the console itself sends: the server would drop input anyway, so check the page holds it back.
  const sent: string[] = [];
  helpdesk.on('websocket', (socket) => {
    if (socket.url().includes('/api/sessions/')) socket.on('framesent', (frame) => sent.push(String(frame.payload)));
  });
  await helpdesk.goto('/console/devices');
  const device = row(helpdesk.getByRole('main'), DEVICE_NAME);
  await expect(device.locator('[data-status]')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await device.getByRole('button', { name: fill(en['devices.connectTo'], { name: DEVICE_NAME }) }).click();
  await expect(helpdesk).toHaveURL(/\/console\/sessions\/[^/]+$/);
  const status = helpdesk.locator('[data-phase]');
  await expect(status).toHaveAttribute('data-phase', 'connected', { timeout: 20_000 });
  await expect(helpdesk.getByTestId('view-only')).toHaveText(en['session.viewOnly']);
  await expect(helpdesk.getByText(en['session.hintViewOnly'], { exact: true })).toBeVisible();

  const canvas = helpdesk.locator('canvas[data-remote-screen]');
  await expect(status).toHaveText(en['session.status.connected'], { timeout: 20_000 });
  const since = (await harness.events()).length;
  await canvas.click({ position: { x: 100, y: 100 } });
  await helpdesk.keyboard.type('nope');
  await canvas.hover({ position: { x: 300, y: 200 } });
  // Give anything that was sent time to arrive: the same path delivers a click in well under a second.
  await helpdesk.waitForTimeout(1500);
  const reached = (await harness.events()).slice(since).filter((event) => event.event !== 'ready');
  expect(reached).toEqual([]);
  expect(sent.some((payload) => payload.includes('"hello"'))).toBe(true);
  expect(sent.filter((payload) => payload.includes('"input"'))).toEqual([]);

  await helpdesk.getByRole('button', { name: en['session.end'], exact: true }).click();
  await expect(status).toHaveAttribute('data-phase', 'ended');
});

test('the event log names the role, the user and the grant', async () => {
  await go(admin, en['nav.events']);
  const rows = (code: AuditCode): Locator => row(admin.getByRole('main'), en[`audit.code.${code}`]);
  await expect(rows('R1100I').first()).toContainText(ROLE);
  await expect(rows('R1100I').first()).toContainText(en['permission.session.unattended']);
  await expect(rows('R1003I').first()).toContainText(HELPDESK.email);
  const granted = rows('R1103I').first();
  await expect(granted).toContainText(ROLE);
  await expect(granted).toContainText(HELPDESK.email);
  await expect(granted).toContainText(en['audit.value.company']);
  await expect(rows('R1200I').first()).toContainText(GROUP);
});

test('the operator creates a company with its administrator and renames it', async () => {
  await go(admin, en['nav.companies']);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en['companies.title']);
  await admin.getByRole('main').getByRole('button', { name: en['companies.add'], exact: true }).first().click();
  const form = dialog(admin, en['companies.createTitle']);
  await form.getByLabel(en['companies.name'], { exact: true }).fill('Globex');
  await form.getByLabel(en['users.email'], { exact: true }).fill('gloria@globex.example');
  await form.getByLabel(en['users.displayName'], { exact: true }).fill('Gloria Globex');
  await form.getByRole('button', { name: en['companies.create'], exact: true }).click();
  const done = dialog(admin, en['companies.createdTitle']);
  await expect(done.getByText(en['secret.once'])).toBeVisible();
  await expect(done.getByTestId('generated-password')).toHaveText(/^\S{12,}$/);
  await done.getByRole('button', { name: en['common.done'], exact: true }).click();
  await expect(row(admin.getByRole('main'), 'Globex')).toBeVisible();

  await admin.getByRole('button', { name: fill(en['companies.renameCompany'], { name: 'Globex' }), exact: true }).click();
  const rename = dialog(admin, fill(en['companies.renameTitle'], { name: 'Globex' }));
  await rename.getByLabel(en['companies.name'], { exact: true }).fill('Globex Corporation');
  await rename.getByRole('button', { name: en['companies.rename'], exact: true }).click();
  await expect(row(admin.getByRole('main'), 'Globex Corporation')).toBeVisible();
  await expect(row(admin.getByRole('main'), 'Globex')).toHaveCount(0);
});

test('the owner and one’s own account offer no remove, delete or disable', async ({ browser }) => {
  await go(admin, en['nav.users']);
  const main = admin.getByRole('main');
  const owner = rowStarting(main, ADMIN_NAME);
  await expect(owner).toContainText(en['users.badge.owner']);
  await expect(owner).toContainText(en['users.badge.operator']);
  await expect(owner.getByRole('button', { name: fill(en['users.removeUser'], { name: ADMIN_NAME }) })).toHaveCount(0);
  await expect(owner.getByRole('button', { name: fill(en['users.deleteUser'], { name: ADMIN_NAME }) })).toHaveCount(0);
  await owner.getByRole('button', { name: fill(en['users.editUser'], { name: ADMIN_NAME }) }).click();
  const edit = dialog(admin, fill(en['users.editTitle'], { name: ADMIN_NAME }));
  await expect(edit.getByRole('checkbox', { name: en['users.disabled'] })).toHaveCount(0);
  await edit.getByRole('button', { name: en['common.cancel'], exact: true }).click();

  // A second administrator (not the owner) sees their own row protected too, others' not.
  await addUser(admin, DEPUTY, [en['roles.builtin.administrator']]);
  const deputy = await openPage(browser, 'deputy');
  await signIn(deputy, DEPUTY.email, DEPUTY.password);
  await go(deputy, en['nav.users']);
  const self = rowStarting(deputy.getByRole('main'), DEPUTY.name);
  await expect(self).toContainText(en['users.badge.you']);
  await expect(self.getByRole('button', { name: fill(en['users.deleteUser'], { name: DEPUTY.name }) })).toHaveCount(0);
  await expect(self.getByRole('button', { name: fill(en['users.removeUser'], { name: DEPUTY.name }) })).toHaveCount(0);
  const other = rowStarting(deputy.getByRole('main'), HELPDESK.name);
  await expect(other.getByRole('button', { name: fill(en['users.deleteUser'], { name: HELPDESK.name }) })).toBeVisible();
  await deputy.close();
});

test('removing keeps the account, deleting erases it; each explains itself first', async () => {
  await addUser(admin, SPARE);
  const main = admin.getByRole('main');
  await rowStarting(main, DEPUTY.name).getByRole('button', { name: fill(en['users.removeUser'], { name: DEPUTY.name }) }).click();
  const remove = dialog(admin, fill(en['users.removeTitle'], { name: DEPUTY.name }));
  await expect(remove).toContainText(fill(en['users.removeBody'], { name: DEPUTY.name }));
  await remove.getByRole('button', { name: en['users.removeConfirm'], exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: fill(en['users.removed'], { name: DEPUTY.name }) })).toBeVisible();
  await expect(rowStarting(main, DEPUTY.name)).toHaveCount(0);

  await rowStarting(main, SPARE.name).getByRole('button', { name: fill(en['users.deleteUser'], { name: SPARE.name }) }).click();
  const erase = dialog(admin, fill(en['users.deleteTitle'], { name: SPARE.name }));
  await expect(erase).toContainText(en['users.deleteBody']);
  await erase.getByRole('button', { name: en['users.deleteConfirm'], exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: fill(en['users.deleted'], { name: SPARE.name }) })).toBeVisible();
  await expect(rowStarting(main, SPARE.name)).toHaveCount(0);
});

test('with password sign-in off, the login page says why the user cannot sign in', async () => {
  await go(admin, en['nav.company']);
  const passwords = admin.getByRole('checkbox', { name: en['company.passwordSignIn'], exact: true });
  await expect(passwords).toBeChecked();
  await passwords.uncheck();
  await expect(admin.getByText(en['company.noSsoWarning'])).toBeVisible();
  await admin.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: en['company.saved'] })).toBeVisible();

  await helpdesk.getByRole('button', { name: en['header.signOut'], exact: true }).click();
  await signIn(helpdesk, HELPDESK.email, helpdeskPassword);
  const alert = helpdesk.getByRole('alert');
  await expect(alert).toContainText(en['login.passwordOffTitle']);
  await expect(alert).toContainText(en['error.password_sign_in_disabled']);
  await expect(helpdesk).toHaveURL(/\/console\/login/);

  // The owner still signs in with a password; turn it back on.
  await passwords.check();
  await admin.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: en['company.saved'] })).toBeVisible();
  await signIn(helpdesk, HELPDESK.email, helpdeskPassword);
  await expect(helpdesk).toHaveURL(/\/console\/devices$/);
});

test('the Roles page is translated into French', async () => {
  await go(admin, en['nav.roles']);
  await admin.getByLabel(en['header.language']).selectOption('fr');
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(fr['roles.title']);
  await expect(admin.getByRole('columnheader', { name: fr['roles.col.permissions'], exact: true })).toBeVisible();
  const administrator = rowStarting(admin.getByTestId('roles'), fr['roles.builtin.administrator']);
  await expect(administrator).toContainText(fr['roles.builtin']);
  await expect(rowStarting(admin.getByTestId('roles'), ROLE)).toContainText(fr['roles.viewOnlyBadge']);
  await expect(row(admin.getByTestId('grants'), ROLE)).toContainText(fr['grants.scope.company']);

  await admin.getByRole('button', { name: fill(fr['roles.showRole'], { name: fr['roles.builtin.administrator'] }) }).click();
  const shown = dialog(admin, fr['roles.builtin.administrator']);
  await expect(shown.getByRole('group', { name: fr['roles.area.administration'] })).toBeVisible();
  const box = shown.getByRole('checkbox', { name: fr['permission.event_log.view'], exact: true });
  await expect(box).toBeChecked();
  await expect(box).toBeDisabled();
  await shown.getByRole('button', { name: fr['common.close'], exact: true }).click();
  await expect(shown).toBeHidden();
  await admin.getByLabel(fr['header.language']).selectOption('en');
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en['roles.title']);
});

test('the administration pages broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
