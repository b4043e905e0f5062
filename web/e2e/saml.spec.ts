// SAML single sign-on end to end with a real identity provider (pysaml2, see
// idp.ts): the administrator verifies the domain against a real DNS server,
// imports the IdP's metadata file in the console and generates the customer
// identifier; a member then signs in through the IdP from the sign-in page, and
// again from the IdP's side with RelayState `console`. The tests run in order.

import { join } from 'node:path';
import { expect, request, test, type BrowserContext, type Page } from '@playwright/test';
import { en } from '../src/i18n/en.ts';
import { startHarness, type Harness } from './harness.ts';
import { startIdentityProvider, type IdentityProvider } from './idp.ts';
import { addUser, attachScreenshot, dialog, fill, signIn } from './pages.ts';

test.describe.configure({ mode: 'serial' });

const DOMAIN = 'example.net';
const MEMBER = { email: 'grace@example.net', name: 'Grace Hopper' };

let harness: Harness;
let idp: IdentityProvider;
let spMetadata = '';
let customerIdentifier = '';
let postIdp: IdentityProvider | undefined;
let logDir = '';
let admin: Page;
const contexts: BrowserContext[] = [];
let failed = false;
const problems: string[] = [];

test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(120_000);
  logDir = join(testInfo.project.outputDir, 'harness-saml');
  harness = await startHarness(logDir);
  const client = await request.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true });
  spMetadata = await (await client.get('/saml/metadata')).text();
  await client.dispose();
  idp = await startIdentityProvider(logDir, spMetadata);
  const context = await browser.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true, viewport: { width: 1600, height: 1050 }, locale: 'en-US' });
  contexts.push(context);
  await context.tracing.start({ screenshots: true, snapshots: true });
  admin = await context.newPage();
  watch(admin, 'admin');
});

function watch(page: Page, who: string): void {
  page.on('pageerror', (error) => problems.push(`${who}: uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`${who}: ${message.text()}`);
  });
}

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  failed = true;
  await attachScreenshot(admin, 'admin', testInfo);
});

test.afterAll(async ({}, testInfo) => {
  await contexts[0]?.tracing.stop(failed ? { path: join(testInfo.project.outputDir, 'harness-saml', 'trace.zip') } : {});
  for (const context of contexts) await context.close();
  await idp?.stop();
  await postIdp?.stop();
  await harness?.stop();
});

test('the administrator sets up single sign-on with the identity provider’s metadata file', async () => {
  await signIn(admin, harness.adminEmail, harness.adminPassword);
  await expect(admin).toHaveURL(/\/console\/devices$/);
  // The member exists already (this company creates no accounts on first sign-on).
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

  const section = card.getByRole('region', { name: en['saml.title'] });
  await section.getByRole('button', { name: en['saml.configure'], exact: true }).click();
  const form = dialog(admin, fill(en['saml.configureTitle'], { domain: DOMAIN }));
  await form.getByRole('radio', { name: en['saml.source.metadata_xml'], exact: true }).check();
  await form.getByLabel(en['saml.metadataFile'], { exact: true }).setInputFiles({
    name: 'idp-metadata.xml',
    mimeType: 'application/xml',
    buffer: Buffer.from(await idp.metadata()),
  });
  await expect(form.getByLabel(en['saml.metadataXml'], { exact: true })).not.toHaveValue('');
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(form).toBeHidden();
  await expect(section.getByText(`${idp.base}/metadata`, { exact: true })).toBeVisible();

  await section.getByRole('button', { name: en['saml.generateCustomer'], exact: true }).click();
  await dialog(admin, fill(en['saml.customerTitle'], { domain: DOMAIN })).getByRole('button', { name: en['saml.generate'], exact: true }).click();
  const shown = dialog(admin, en['saml.customerCreatedTitle']);
  customerIdentifier = ((await shown.getByTestId('customer-identifier').textContent()) ?? '').trim();
  expect(customerIdentifier).not.toBe('');
  await idp.setCustomerIdentifier(customerIdentifier);
  await shown.getByRole('button', { name: en['common.done'], exact: true }).click();
  await expect(section.getByTestId('saml-state')).toHaveText(en['saml.active']);
});

/** A browser of its own, signed in as nobody. */
async function visitor(browser: import('@playwright/test').Browser, who: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: harness.origin, ignoreHTTPSErrors: true, locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  watch(page, who);
  return page;
}

test('a member signs in from the sign-in page through the identity provider', async ({ browser }) => {
  const page = await visitor(browser, 'member');
  await page.goto('/console/login');
  await page.getByLabel(en['login.email'], { exact: true }).fill(MEMBER.email);
  await page.getByRole('button', { name: en['login.sso.continue'], exact: true }).click();
  // At the identity provider: its own sign-in form, the address passed as a hint.
  await expect(page).toHaveURL(new RegExp(`^${idp.base}/sso/redirect`));
  await expect(page.getByLabel('E-mail')).toHaveValue(MEMBER.email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Posted back to Reach, signed in, on the technician console.
  await expect(page).toHaveURL(/\/console\/devices$/);
  await expect(page.getByRole('link', { name: MEMBER.name })).toBeVisible();
});

test('a sign-in the identity provider starts, with RelayState console, lands on the console', async ({ browser }) => {
  const page = await visitor(browser, 'idp-initiated');
  await page.goto(`${idp.base}/idp-initiated?email=${encodeURIComponent(MEMBER.email)}&relay_state=console`);
  await expect(page).toHaveURL(/\/console\/devices$/);
  await expect(page.getByRole('link', { name: MEMBER.name })).toBeVisible();
});

test('an address of the domain without an account is turned back with the reason', async ({ browser }) => {
  const page = await visitor(browser, 'stranger');
  await page.goto(`${idp.base}/idp-initiated?email=${encodeURIComponent(`nobody@${DOMAIN}`)}&relay_state=console`);
  await expect(page).toHaveURL(/\/console\/login\?sso_error=sso_no_account$/);
  await expect(page.getByRole('alert')).toHaveText(en['login.sso.noAccount']);
});

test('the event log shows the single sign-on and the refusal', async () => {
  await admin.goto('/console/events');
  const log = admin.getByRole('main');
  await expect(log.getByText(en['audit.code.R1505I']).first()).toBeVisible();
  await expect(log.getByText(en['audit.value.saml']).first()).toBeVisible();
  await expect(log.getByText(en['audit.value.sso_no_account']).first()).toBeVisible();
});

test('an identity provider that takes requests by HTTP-POST signs the member in too', async ({ browser }) => {
  postIdp = await startIdentityProvider(logDir, spMetadata, 'post');
  await postIdp.setCustomerIdentifier(customerIdentifier);
  await admin.goto('/console/sso');
  const section = admin.getByRole('main').getByRole('region', { name: en['saml.title'] });
  await section.getByRole('button', { name: en['saml.change'], exact: true }).click();
  const form = dialog(admin, fill(en['saml.configureTitle'], { domain: DOMAIN }));
  await form.getByRole('radio', { name: en['saml.source.metadata_xml'], exact: true }).check();
  await form.getByLabel(en['saml.metadataXml'], { exact: true }).fill(await postIdp.metadata());
  await form.getByRole('button', { name: en['common.save'], exact: true }).click();
  await expect(form).toBeHidden();
  await expect(section.getByText(`${postIdp.base}/sso/post`, { exact: true })).toBeVisible();

  const page = await visitor(browser, 'member-post');
  await page.goto('/console/login');
  await page.getByLabel(en['login.email'], { exact: true }).fill(MEMBER.email);
  await page.getByRole('button', { name: en['login.sso.continue'], exact: true }).click();
  // Our page posts the request (its script, under its own CSP), the IdP asks who it is.
  await expect(page).toHaveURL(`${postIdp.base}/sso/post`);
  await expect(page.getByLabel('E-mail')).toHaveValue(MEMBER.email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/console\/devices$/);
  await expect(page.getByRole('link', { name: MEMBER.name })).toBeVisible();
});

test('single sign-on broke no CSP rule and threw no error', () => {
  expect(problems).toEqual([]);
});
