// OpenID Connect single sign-on end to end with a real provider (oidc-provider,
// see op.ts): the administrator verifies the domain against a real DNS server,
// picks OpenID Connect as the domain's protocol and enters the provider in the
// console; a member then signs in through the provider from the sign-in page
// (authorization code flow with PKCE), and another cancels at the provider and
// is told so. The tests run in order.

import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { SessionKeyCreated, SignedIn } from '../src/gen/proto.ts';
import { en } from '../src/i18n/en.ts';
import { startHarness, type Harness } from './harness.ts';
import { makeProviderCertificates, startOpenIdProvider, type OpenIdProvider, type ProviderCertificates } from './op.ts';
import { addUser, attachScreenshot, dialog, fill, signIn } from './pages.ts';

test.describe.configure({ mode: 'serial' });

const DOMAIN = 'example.org';
const MEMBER = { email: 'katherine@example.org', name: 'Katherine Johnson' };

let harness: Harness;
let certificates: ProviderCertificates;
let provider: OpenIdProvider;
let admin: Page;
const contexts: BrowserContext[] = [];
let failed = false;
const problems: string[] = [];

function watch(page: Page, who: string): void {
  page.on('pageerror', (error) => problems.push(`${who}: uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`${who}: ${message.text()}`);
  });
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(120_000);
  const logDir = join(testInfo.project.outputDir, 'harness-oidc');
  certificates = await makeProviderCertificates();
  harness = await startHarness(logDir, { identityProviderCa: certificates.ca });
  provider = await startOpenIdProvider(logDir, certificates, `${harness.origin}/oidc/callback`);
  const context = await browser.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true, viewport: { width: 1600, height: 1050 }, locale: 'en-US' });
  contexts.push(context);
  admin = await context.newPage();
  watch(admin, 'admin');
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  failed = true;
  await attachScreenshot(admin, 'admin', testInfo);
});

test.afterAll(async () => {
  for (const context of contexts) await context.close();
  await provider?.stop();
  await harness?.stop();
  if (failed) console.log('oidc: see harness-oidc/*.log in the test output directory');
});

test('the administrator sets up OpenID Connect for a verified domain', async () => {
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await expect(admin).toHaveURL(/\/console\/devices$/);
  await admin.goto('/console/users');
  await addUser(admin, MEMBER);

  await admin.goto('/console/sso');
  await admin.getByRole('main').getByRole('button', { name: en['sso.addDomain'], exact: true }).first().click();
  const add = dialog(admin, en['sso.addTitle']);
  await add.getByLabel(en['sso.domain'], { exact: true }).fill(DOMAIN);
  await add.getByRole('button', { name: en['sso.add'], exact: true }).click();
  const card = admin.getByRole('main').getByRole('article', { name: new RegExp(`^${DOMAIN.replace('.', '\\.')}`) });
  const value = ((await card.getByTestId('txt-value').textContent()) ?? '').trim();
  await harness.setDnsRecords([[DOMAIN, value]]);
  await card.getByRole('button', { name: en['sso.verify'], exact: true }).click();
  await expect(card.getByTestId('domain-status')).toHaveText(en['sso.status.verified']);

  // OpenID Connect instead of SAML: the redirect URI to register is shown.
  await card.getByRole('radio', { name: en['sso.protocol.oidc'], exact: true }).check();
  const section = card.getByRole('region', { name: en['oidc.title'] });
  await expect(section.getByTestId('oidc-state')).toHaveText(en['oidc.inactive']);
  await section.getByText(en['oidc.forYourProvider'], { exact: true }).click();
  await expect(section.getByTestId('oidc-redirect-uri')).toContainText(`${harness.origin}/oidc/callback`);
  await expect(section.getByTestId('oidc-initiate-uri')).toContainText(`${harness.origin}/oidc/initiate`);

  await section.getByRole('button', { name: en['oidc.configure'], exact: true }).click();
  const form = dialog(admin, en['oidc.dialogTitle']);
  // An address that is not https is refused with the server's reason, and nothing is kept.
  await form.getByLabel(en['oidc.issuer'], { exact: true }).fill(provider.issuer.replace('https:', 'http:'));
  await form.getByLabel(en['oidc.clientId'], { exact: true }).fill(provider.clientId);
  await form.getByLabel(en['oidc.clientSecret'], { exact: true }).fill(provider.clientSecret);
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(form.getByRole('alert')).toContainText('https');
  await form.getByLabel(en['oidc.issuer'], { exact: true }).fill(provider.issuer);
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(form).toBeHidden();

  await expect(section.getByTestId('oidc-state')).toHaveText(en['oidc.active']);
  await expect(section.getByText(provider.issuer, { exact: true })).toBeVisible();
  await expect(section.getByTestId('oidc-secret')).toHaveText(en['oidc.secretKept']);
  // Provisioning: the SCIM base URL to give the identity provider.
  await expect(admin.getByTestId('scim-base-url')).toHaveText(`${harness.origin}/scim/v2`);
  // SAML can't be chosen while OpenID Connect is set up.
  await expect(card.getByRole('radio', { name: en['sso.protocol.saml'], exact: true })).toBeDisabled();
});

/** A browser of its own, signed in as nobody. */
async function visitor(browser: import('@playwright/test').Browser, who: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true, locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  watch(page, who);
  return page;
}

test('a member signs in from the sign-in page through the OpenID Connect provider', async ({ browser }) => {
  const page = await visitor(browser, 'member');
  await page.goto('/console/login');
  await page.getByLabel(en['login.email'], { exact: true }).fill(MEMBER.email);
  await page.getByRole('button', { name: en['login.sso.continue'], exact: true }).click();
  // At the provider: its own sign-in form.
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(MEMBER.email);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // It asks to share the address with Reach.
  await page.getByRole('button', { name: 'Continue' }).click();
  // Back at Reach, signed in, on the technician console.
  await expect(page).toHaveURL(/\/console\/devices$/);
  await expect(page.getByRole('link', { name: MEMBER.name })).toBeVisible();
});

test('a member sent to sign in by the portal comes back to it after single sign-on', async ({ browser }) => {
  // Tenant-only help is on by default: the portal asks the member to sign in first.
  const me = (await (await admin.request.get('/api/auth/me')).json()) as SignedIn;
  const created = await admin.request.post('/api/session-keys', { headers: { 'X-CSRF-Token': me.csrf_token }, data: {} });
  expect(created.ok()).toBe(true);
  const { key } = (await created.json()) as SessionKeyCreated;
  const page = await visitor(browser, 'portal member');
  await page.goto(`/?key=${key}`);
  const result = page.locator('[data-portal-status]');
  await expect(result).toHaveAttribute('data-portal-status', 'sign_in_required');
  await result.getByRole('button', { name: en['portal.signIn'], exact: true }).click();
  await page.getByLabel(en['login.email'], { exact: true }).fill(MEMBER.email);
  await page.getByRole('button', { name: en['login.sso.continue'], exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(MEMBER.email);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  // The server lands every single sign-on on the device list; the console goes on to the portal.
  await expect(page).toHaveURL(new RegExp(`/console/portal\\?key=${key}$`));
  await expect(result).toHaveAttribute('data-portal-status', 'ready');
  await expect(page.getByTestId('join-command')).toContainText('--ticket ');
});

test('a sign-in started from the provider’s portal lands on the technician console', async ({ browser }) => {
  const page = await visitor(browser, 'portal');
  // What the provider's app portal opens: Reach's login initiation URI.
  await page.goto(`/oidc/initiate?iss=${encodeURIComponent(provider.issuer)}&login_hint=${encodeURIComponent(MEMBER.email)}`);
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(MEMBER.email);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/console\/devices$/);
  await expect(page.getByRole('link', { name: MEMBER.name })).toBeVisible();
});

test('someone who cancels at the provider is told so on the sign-in page', async ({ browser }) => {
  const page = await visitor(browser, 'cancel');
  await page.goto('/console/login');
  await page.getByLabel(en['login.email'], { exact: true }).fill(MEMBER.email);
  await page.getByRole('button', { name: en['login.sso.continue'], exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.getByRole('link', { name: '[ Cancel ]' }).click();
  await expect(page).toHaveURL(/\/console\/login\?sso_error=sso_denied$/);
  await expect(page.getByRole('alert')).toHaveText(en['login.sso.denied']);
});

test('the event log shows the OpenID Connect sign-in and the cancellation', async () => {
  await admin.goto('/console/events');
  const log = admin.getByRole('main');
  await expect(log.getByText(en['audit.code.R1505I']).first()).toBeVisible();
  await expect(log.getByText(en['audit.value.oidc']).first()).toBeVisible();
  await expect(log.getByText(en['audit.value.sso_denied']).first()).toBeVisible();
});

test('members of a group on the exclusion list keep their password', async ({ browser }) => {
  await admin.goto('/console/groups');
  await admin.getByRole('main').getByRole('button', { name: en['groups.add'], exact: true }).first().click();
  const create = dialog(admin, en['groups.createTitle']);
  await create.getByLabel(en['groups.name'], { exact: true }).fill('Break-glass');
  await create.getByRole('checkbox', { name: MEMBER.name, exact: true }).check();
  await create.getByRole('button', { name: en['groups.create'], exact: true }).click();
  await expect(create).toBeHidden();

  await admin.goto('/console/sso');
  const section = admin.getByRole('main').getByRole('region', { name: en['oidc.title'] });
  await section.getByRole('button', { name: en['saml.editExclusions'], exact: true }).click();
  const form = dialog(admin, fill(en['saml.exclusionsTitle'], { domain: DOMAIN }));
  await form.getByRole('checkbox', { name: 'Break-glass', exact: true }).check();
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(form).toBeHidden();
  await expect(section).toContainText(fill(en['sso.excludedGroupsCount'], { count: '1' }));

  // The sign-in page now asks the member for a password.
  const page = await visitor(browser, 'excluded');
  await page.goto('/console/login');
  await page.getByLabel(en['login.email'], { exact: true }).fill(MEMBER.email);
  await expect(page.getByLabel(en['login.password'], { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: en['login.sso.continue'], exact: true })).toHaveCount(0);
});

test('the administrator adds a member as an owner of the domain', async () => {
  await admin.goto('/console/sso');
  const card = admin.getByRole('main').getByRole('article', { name: new RegExp(`^${DOMAIN.replace('.', '\\.')}`) });
  await expect(card.getByTestId('domain-owners')).toHaveText(/Administrator/);
  await card.getByRole('button', { name: en['sso.editOwners'], exact: true }).click();
  const form = dialog(admin, fill(en['sso.ownersTitle'], { domain: DOMAIN }));
  const field = form.getByLabel(en['sso.owners'], { exact: true });
  await field.fill(`${await field.inputValue()}\nnobody@${DOMAIN}`);
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  // Not a member: refused, and the dialog stays open to fix it.
  await expect(form.getByRole('alert')).toBeVisible();
  await field.fill(`${harness.adminEmail}\n${MEMBER.email}`);
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(form).toBeHidden();
  await expect(card.getByTestId('domain-owners')).toContainText(MEMBER.name);
});

test('OpenID Connect broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
