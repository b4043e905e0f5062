// The Company entry's single sign-on and API token sections, end to end against a
// real server and a real DNS server (dnsmasq, started by the harness): a domain is
// claimed, its record published, and the page turns it verified live; an API
// token is created, shown once, used on /api/v1 and revoked. The tests run in order.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, request, test, type APIRequestContext, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { startHarness, type Harness } from './harness.ts';
import { attachScreenshot, dialog, fill, rowStarting, signIn } from './pages.ts';

test.describe.configure({ mode: 'serial' });

const DOMAIN = 'support.example.org';
const TOKEN_NAME = 'Inventory sync';
const IDP = 'https://idp.example.org/saml';
const IDP_SSO = 'https://idp.example.org/sso';

/** A self-signed certificate as an identity provider would publish it (openssl). */
function idpCertificate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reach-e2e-idp-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=idp', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], {
      stdio: 'ignore',
    });
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let harness: Harness;
let context: BrowserContext;
let admin: Page;
/** A client with no cookies: what a script calling the API is. */
let client: APIRequestContext;
let failed = false;
const problems: string[] = [];

function main(): Locator {
  return admin.getByRole('main');
}

function tabs(): Locator {
  return admin.getByRole('navigation', { name: en['company.tabs'] });
}

function domainCard(domain: string): Locator {
  return main().getByRole('article', { name: new RegExp(`^${domain.replace(/\./g, '\\.')}`) });
}

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(90_000);
  harness = await startHarness(join(testInfo.project.outputDir, 'harness-identity'));
  context = await browser.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true, viewport: { width: 1600, height: 1050 }, locale: 'en-US' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.origin });
  await context.tracing.start({ screenshots: true, snapshots: true });
  admin = await context.newPage();
  admin.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  admin.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  client = await request.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  failed = true;
  await attachScreenshot(admin, 'admin', testInfo);
});

test.afterAll(async ({}, testInfo) => {
  await context?.tracing.stop(failed ? { path: join(testInfo.project.outputDir, 'harness-identity', 'trace.zip') } : {});
  await context?.close();
  await client?.dispose();
  await harness?.stop();
});

test('the Company entry opens on its settings, with tabs for single sign-on and API tokens', async () => {
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await expect(admin).toHaveURL(/\/console\/devices$/);
  await admin.getByRole('navigation', { name: en['nav.label'] }).getByRole('link', { name: en['nav.company'], exact: true }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en['company.title']);
  await expect(tabs().getByRole('link', { name: en['company.tab.settings'], exact: true })).toHaveAttribute('aria-current', 'page');
  await tabs().getByRole('link', { name: en['company.tab.sso'], exact: true }).click();
  await expect(admin).toHaveURL(/\/console\/sso$/);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en['sso.title']);
  await expect(main().getByRole('heading', { name: en['sso.emptyTitle'] })).toBeVisible();
  // The Company entry stays the current one on its other sections.
  await expect(admin.getByRole('navigation', { name: en['nav.label'] }).getByRole('link', { name: en['nav.company'], exact: true })).toHaveAttribute('aria-current', 'page');
});

test('a domain that is not one is refused with a clear message, and nothing is added', async () => {
  await main().getByRole('button', { name: en['sso.addDomain'], exact: true }).first().click();
  const form = dialog(admin, en['sso.addTitle']);
  await form.getByLabel(en['sso.domain'], { exact: true }).fill('not a domain');
  await form.getByRole('button', { name: en['sso.add'], exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText(en['error.invalid_domain']);
  await form.getByRole('button', { name: en['common.cancel'], exact: true }).click();
  await expect(form).toBeHidden();
  await expect(main().getByRole('heading', { name: en['sso.emptyTitle'] })).toBeVisible();
});

test('a claimed domain shows its TXT record; once published, verification turns it verified live', async () => {
  await main().getByRole('button', { name: en['sso.addDomain'], exact: true }).first().click();
  const form = dialog(admin, en['sso.addTitle']);
  await form.getByLabel(en['sso.domain'], { exact: true }).fill(`@${DOMAIN.toUpperCase()}`);
  await form.getByRole('button', { name: en['sso.add'], exact: true }).click();
  await expect(form).toBeHidden();

  const card = domainCard(DOMAIN);
  await expect(card.getByTestId('domain-status')).toHaveText(en['sso.status.unverified']);
  await expect(card.getByText(en['sso.recordIntro'])).toBeVisible();
  const value = ((await card.getByTestId('txt-value').textContent()) ?? '').trim();
  expect(value).toMatch(/^reach-domain-verification=\S+$/);
  await card.getByRole('button', { name: en['sso.copyRecordValue'], exact: true }).click();
  expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(value);

  // Nothing is published yet: it keeps looking.
  await card.getByRole('button', { name: en['sso.verify'], exact: true }).click();
  await expect(card.getByTestId('domain-status')).toHaveText(en['sso.status.verifying']);
  await expect(card.getByRole('button', { name: en['sso.checkNow'], exact: true })).toBeVisible();

  // Published: the server's next periodic check finds it and the feed brings it here.
  await harness.setDnsRecords([[DOMAIN, value]]);
  await expect(card.getByTestId('domain-status')).toHaveText(en['sso.status.verified'], { timeout: 20_000 });
  await expect(card.getByText(en['sso.recordIntro'])).toBeHidden();
  await expect(card.getByRole('button', { name: en['sso.checkNow'], exact: true })).toHaveCount(0);
});

test('the verified domain gets an identity provider and a customer identifier; single sign-on is then in force', async () => {
  const section = domainCard(DOMAIN).getByRole('region', { name: en['saml.title'] });
  await expect(section.getByTestId('saml-state')).toHaveText(en['saml.inactive']);
  await expect(section.getByText(en['saml.step.provider'])).toBeVisible();
  await section.getByText(en['saml.forYourIdp']).click();
  await expect(section.getByText(`${harness.origin}/saml/acs`)).toBeVisible();

  await section.getByRole('button', { name: en['saml.configure'], exact: true }).click();
  const form = dialog(admin, fill(en['saml.configureTitle'], { domain: DOMAIN }));
  await form.getByRole('radio', { name: en['saml.source.manual'], exact: true }).check();
  await form.getByLabel(en['saml.entityId'], { exact: true }).fill(IDP);
  await form.getByLabel(en['saml.ssoUrl'], { exact: true }).fill('http://idp.example.org/sso');
  await form.getByLabel(en['saml.certificate'], { exact: true }).fill(idpCertificate());
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  // Plain http is refused with a clear message, and nothing is saved.
  await expect(form.getByRole('alert')).toHaveText(en['error.invalid_identity_provider']);
  await form.getByLabel(en['saml.ssoUrl'], { exact: true }).fill(IDP_SSO);
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(form).toBeHidden();
  await expect(section.getByText(IDP, { exact: true })).toBeVisible();

  await section.getByRole('button', { name: en['saml.generateCustomer'], exact: true }).click();
  const generate = dialog(admin, fill(en['saml.customerTitle'], { domain: DOMAIN }));
  await generate.getByRole('button', { name: en['saml.generate'], exact: true }).click();
  const shown = dialog(admin, en['saml.customerCreatedTitle']);
  expect(((await shown.getByTestId('customer-identifier').textContent()) ?? '').trim()).not.toBe('');
  await shown.getByRole('button', { name: en['common.done'], exact: true }).click();
  await expect(section.getByTestId('saml-state')).toHaveText(en['saml.active']);
});

test('the sign-in page sends an address under single sign-on to its identity provider', async ({ browser }) => {
  const visitor = await browser.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true, locale: 'en-US' });
  try {
    const page = await visitor.newPage();
    let reached: URL | null = null;
    // The identity provider is not part of this test: record where the browser is sent.
    await page.route(`${IDP_SSO}**`, async (route) => {
      reached = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'identity provider' });
    });
    await page.goto('/console/login');
    await page.getByLabel(en['login.email'], { exact: true }).fill(`someone@${DOMAIN}`);
    const go = page.getByRole('button', { name: en['login.sso.continue'], exact: true });
    await expect(go).toBeVisible();
    await expect(page.getByLabel(en['login.password'], { exact: true })).toHaveCount(0);
    await go.click();
    await expect.poll(() => reached?.searchParams.get('SAMLRequest') ?? null).not.toBeNull();

    // An address elsewhere keeps its password field.
    await page.goto('/console/login');
    const asked = page.waitForResponse((response) => response.url().includes('/api/auth/sign-in-method'));
    await page.getByLabel(en['login.email'], { exact: true }).fill('someone@elsewhere.example');
    expect((await (await asked).json()) as unknown).toEqual({ method: 'password' });
    await expect(page.getByLabel(en['login.password'], { exact: true })).toBeVisible();

    // Back from a refused single sign-on, the page says why.
    await page.goto('/console/login?sso_error=sso_no_account');
    await expect(page.getByRole('alert')).toHaveText(en['login.sso.noAccount']);
  } finally {
    await visitor.close();
  }
});

test('adding the same domain again says so', async () => {
  await main().getByRole('button', { name: en['sso.addDomain'], exact: true }).first().click();
  const form = dialog(admin, en['sso.addTitle']);
  await form.getByLabel(en['sso.domain'], { exact: true }).fill(DOMAIN);
  await form.getByRole('button', { name: en['sso.add'], exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText(en['error.domain_already_added']);
  await form.press('Escape');
  await expect(form).toBeHidden();
});

test('a second domain is deleted after confirmation', async () => {
  await main().getByRole('button', { name: en['sso.addDomain'], exact: true }).first().click();
  const form = dialog(admin, en['sso.addTitle']);
  const field = form.getByLabel(en['sso.domain'], { exact: true });
  await field.fill('old.example.org');
  // The keyboard submits the form.
  await field.press('Enter');
  await expect(form).toBeHidden();
  await domainCard('old.example.org').getByRole('button', { name: fill(en['sso.removeDomain'], { domain: 'old.example.org' }), exact: true }).click();
  const confirm = dialog(admin, en['sso.removeTitle']);
  await expect(confirm).toContainText(fill(en['sso.removeBody'], { domain: 'old.example.org' }));
  await confirm.getByRole('button', { name: en['common.delete'], exact: true }).click();
  await expect(domainCard('old.example.org')).toHaveCount(0);
  await expect(domainCard(DOMAIN)).toBeVisible();
});

test('a new API token needs a scope; a company token offers no session starts', async () => {
  await tabs().getByRole('link', { name: en['company.tab.apiTokens'], exact: true }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en['apiTokens.title']);
  await expect(main().getByRole('heading', { name: en['apiTokens.emptyTitle'] })).toBeVisible();
  await main().getByRole('button', { name: en['apiTokens.add'], exact: true }).first().click();
  const form = dialog(admin, en['apiTokens.createTitle']);
  await form.getByLabel(en['apiTokens.name'], { exact: true }).fill(TOKEN_NAME);
  await form.getByRole('button', { name: en['apiTokens.create'], exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText(en['apiTokens.noScope']);

  const attended = form.getByRole('checkbox', { name: en['permission.session.attended'], exact: true });
  await expect(attended).toBeVisible();
  await form.getByRole('radio', { name: en['apiTokens.asCompany'], exact: true }).check();
  await expect(attended).toHaveCount(0);
  await expect(form.getByRole('checkbox', { name: en['permission.devices.manage'], exact: true })).toBeVisible();
  await form.getByRole('radio', { name: fill(en['apiTokens.asMe'], { email: harness.adminEmail }), exact: true }).check();
  await form.getByRole('button', { name: en['common.cancel'], exact: true }).click();
  await expect(form).toBeHidden();
});

test('a user token is shown once, works on /api/v1 within its scopes, and stops when revoked', async () => {
  await main().getByRole('button', { name: en['apiTokens.add'], exact: true }).first().click();
  const form = dialog(admin, en['apiTokens.createTitle']);
  await form.getByLabel(en['apiTokens.name'], { exact: true }).fill(TOKEN_NAME);
  await form.getByLabel(en['apiTokens.lifetime'], { exact: true }).selectOption({ label: en['apiTokens.lifetime.30d'] });
  await form.getByRole('checkbox', { name: en['permission.devices.manage'], exact: true }).check();
  await form.getByRole('button', { name: en['apiTokens.create'], exact: true }).click();

  const done = dialog(admin, fill(en['apiTokens.createdTitle'], { name: TOKEN_NAME }));
  await expect(done.getByText(en['apiTokens.once'])).toBeVisible();
  const token = ((await done.getByTestId('api-token').textContent()) ?? '').trim();
  expect(token).toMatch(/^rat_\S+$/);
  await expect(done.getByText(`Bearer ${token}`)).toBeVisible();
  await expect(done.getByRole('button', { name: en['common.done'], exact: true })).toBeFocused();
  await done.getByRole('button', { name: en['common.done'], exact: true }).click();
  await expect(done).toBeHidden();

  const tokenRow = rowStarting(main(), TOKEN_NAME);
  await expect(tokenRow).toContainText(en['apiTokens.state.active']);
  await expect(tokenRow).toContainText(harness.adminEmail);
  await expect(tokenRow).toContainText(en['permission.devices.manage']);
  // The secret is nowhere on the page any more.
  await expect(main().getByText(token)).toHaveCount(0);

  const bearer = { Authorization: `Bearer ${token}` };
  expect((await client.get('/api/v1/devices', { headers: bearer })).status()).toBe(200);
  // Outside its scopes, even though its creator may.
  expect((await client.get('/api/v1/users', { headers: bearer })).status()).toBe(403);

  await tokenRow.getByRole('button', { name: fill(en['apiTokens.revokeToken'], { name: TOKEN_NAME }), exact: true }).click();
  const confirm = dialog(admin, en['apiTokens.revokeTitle']);
  await confirm.getByRole('button', { name: en['apiTokens.revoke'], exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(tokenRow).toContainText(en['apiTokens.state.revoked']);
  await expect(tokenRow.getByRole('button', { name: fill(en['apiTokens.revokeToken'], { name: TOKEN_NAME }) })).toHaveCount(0);
  expect((await client.get('/api/v1/devices', { headers: bearer })).status()).toBe(401);
});

test('the event log names the token and the domain, translated', async () => {
  await admin.getByRole('navigation', { name: en['nav.label'] }).getByRole('link', { name: en['nav.events'], exact: true }).click();
  const log = main();
  await expect(log.getByText(en['audit.code.R1401I']).first()).toBeVisible();
  await expect(log.getByText(en['audit.code.R1502I']).first()).toBeVisible();
  await admin.getByLabel(en['header.language']).selectOption('fr');
  await expect(log.getByText(fr['audit.code.R1502I']).first()).toBeVisible();
  await admin.getByLabel(fr['header.language']).selectOption('en');
});

test('the single sign-on and API token pages broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
