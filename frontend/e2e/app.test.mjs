// End-to-end: the built frontend served by a real `tenet serve` on a real
// database (scripts/e2e), driven in Debian's headless Chromium. Screenshots
// of every screen land in e2e/artifacts/.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL ?? 'http://localhost:8080';
const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
const PASSWORD = 'a long enough passphrase';
const run = Date.now().toString(36);
const owner = { email: `owner-${run}@e2e.test`, name: 'Olivia Owner', workspace: `E2E Works ${run}` };

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function api(method, path, token, body) {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The token of the newest mail to `to` in MAIL_DIR whose link goes to `path` (quoted-printable decoded). */
async function mailedToken(to, path) {
  const dir = process.env.MAIL_DIR;
  for (let i = 0; i < 100; i++) {
    let files = [];
    try {
      files = readdirSync(dir).sort().reverse();
    } catch {
      // not written yet
    }
    for (const f of files) {
      const text = readFileSync(`${dir}/${f}`, 'utf8').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      if (text.includes(`To: ${to}`) && text.includes(`/${path}?token=`)) return text.match(new RegExp(`/${path}\\?token=([A-Za-z0-9_-]+)`))[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} in ${dir}`);
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

async function signIn(page, email, password = PASSWORD) {
  await page.goto(`${BASE}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('nav').waitFor();
}

describe('Tenet in a browser', () => {
  it('signs up a new workspace and lands on the dashboard', async () => {
    const { context, page } = await newPage();
    const violations = [];
    page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()));
    await page.goto(`${BASE}/sign-up`);
    await shot(page, '01-sign-up');
    await page.getByLabel('Workspace name').fill(owner.workspace);
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByTestId('dashboard').waitFor();
    assert.equal(await page.getByTestId('user-name').textContent(), owner.name);
    await shot(page, '02-dashboard');
    assert.deepEqual(violations, [], 'the app must run under its Content-Security-Policy');
    // Until the mailed link is followed, the app says so.
    await page.getByTestId('verify-banner').waitFor();
    const token = await mailedToken(owner.email, 'verify-email');
    await page.goto(`${BASE}/verify-email?token=${token}`);
    await page.getByRole('status').getByText('Your email is confirmed').waitFor();
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.getByTestId('dashboard').waitFor();
    assert.equal(await page.getByTestId('verify-banner').count(), 0);
    await context.close();
  });

  it('shows the API error of each field', async () => {
    const { context, page } = await newPage();
    await page.goto(`${BASE}/sign-up`);
    await page.getByLabel('Workspace name').fill('Weak');
    await page.getByLabel('Your name').fill('Weak');
    await page.getByLabel('Email').fill(`weak-${run}@e2e.test`);
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByText('is too common').waitFor();
    await context.close();
  });

  it('creates a company and a contact and finds them by search', async () => {
    const { context, page } = await newPage();
    await signIn(page, owner.email);
    await page.getByRole('link', { name: 'Companies' }).click();
    await page.getByRole('button', { name: 'New company' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('is required').waitFor(); // the API's 422, on the field
    await page.getByLabel('Name').fill('Globex Corporation');
    await page.getByLabel('Domain').fill('globex.test');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: 'Globex Corporation' }).waitFor();
    await page.getByRole('button', { name: 'New company' }).click();
    await page.getByLabel('Name').fill('Initech');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: 'Initech' }).waitFor();

    await page.getByLabel('Search companies').fill('GLOBEX');
    await page.getByRole('cell', { name: 'Initech' }).waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('cell', { name: 'Globex Corporation' }).count(), 1);
    await shot(page, '03-companies');

    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('First name').fill('Ann');
    await page.getByLabel('Last name').fill('Lee');
    await page.getByLabel('Email').fill('ann@globex.test');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: 'Ann Lee' }).waitFor();
    await page.getByLabel('Search contacts').fill('ann@glob');
    await page.getByRole('cell', { name: 'ann@globex.test' }).waitFor();
    await page.getByLabel('Search contacts').fill('nobody-like-that');
    await page.getByText('No contacts matching').waitFor();
    await page.getByLabel('Search contacts').fill('');
    await shot(page, '04-contacts');

    for (const [link, testId, name] of [
      ['Users', 'users-table', '05-users'],
      ['Roles', 'roles-table', '06-roles'],
      ['Audit log', 'audit-table', '07-audit'],
      ['Account', 'sessions-table', '08-account'],
    ]) {
      await page.getByRole('link', { name: link }).click();
      await page.getByTestId(testId).waitFor();
      await shot(page, name);
    }
    assert.ok((await page.getByTestId('sessions-table').getByText('this session').count()) === 1);
    await page.goto(`${BASE}/no-such-page`);
    await page.getByTestId('not-found').waitFor();
    await shot(page, '09-not-found');
    await context.close();
  });

  it('shows a viewer no write controls, and the API refuses anyway', async () => {
    const ownerLogin = await api('POST', '/api/auth/login', null, { email: owner.email, password: PASSWORD });
    assert.equal(ownerLogin.status, 200);
    const viewerEmail = `viewer-${run}@e2e.test`;
    const added = await api('POST', '/api/users', ownerLogin.body.access_token, { email: viewerEmail, name: 'Vic Viewer', password: PASSWORD, roles: ['viewer'] });
    assert.equal(added.status, 201);

    const { context, page } = await newPage();
    await signIn(page, viewerEmail);
    const nav = await page.getByTestId('nav').textContent();
    assert.ok(!nav.includes('Audit log'), nav);
    await page.getByRole('link', { name: 'Companies' }).click();
    await page.getByRole('cell', { name: 'Globex Corporation' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New company' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Edit' }).count(), 0);
    await shot(page, '10-viewer-companies');
    await page.goto(`${BASE}/audit`);
    await page.getByTestId('forbidden').waitFor();
    await shot(page, '11-forbidden');

    const viewerLogin = await api('POST', '/api/auth/login', null, { email: viewerEmail, password: PASSWORD });
    const refused = await api('POST', '/api/companies', viewerLogin.body.access_token, { name: 'Sneaky' });
    assert.equal(refused.status, 403);
    const companies = await api('GET', '/api/companies?q=Globex', viewerLogin.body.access_token);
    const globex = companies.body.items[0];
    assert.equal((await api('DELETE', `/api/companies/${globex.id}`, viewerLogin.body.access_token)).status, 403);
    await context.close();
  });

  it('scopes records: a team, a role reading own contacts without the phone, and the owner filter', async () => {
    // Set-up through the API (one token: it lives a few seconds here): Tom joins the owner's team below, Otto does not.
    const { body: session } = await api('POST', '/api/auth/login', null, { email: owner.email, password: PASSWORD });
    const member = async (name, email) => {
      const added = await api('POST', '/api/users', session.access_token, { email, name, password: PASSWORD, roles: ['member'] });
      assert.equal(added.status, 201);
      return added.body;
    };
    const tom = await member('Tom Teammate', `tom-${run}@e2e.test`);
    const ottoEmail = `otto-${run}@e2e.test`;
    const otto = await member('Otto Outsider', ottoEmail);
    // Ann Lee (created in the browser above) is the owner's; Tess is Tom's, Oscar Otto's, Una nobody's.
    for (const [first_name, owner_id, phone] of [['Tess', tom.id, null], ['Oscar', otto.id, '+1 555 0100'], ['Una', null, '+1 555 0199']]) {
      assert.equal((await api('POST', '/api/contacts', session.access_token, { first_name, owner_id, phone })).status, 201);
    }

    const { context, page } = await newPage();
    await signIn(page, owner.email);

    // A team of the owner and Tom.
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByTestId('teams-table').waitFor();
    await page.getByRole('button', { name: 'New team' }).click();
    await page.getByLabel('Name').fill('Sales');
    await page.getByLabel('Description').fill('Field sales, EMEA');
    await page.getByRole('textbox', { name: 'Members' }).click();
    await page.getByRole('option', { name: 'Olivia Owner' }).click();
    await page.getByRole('option', { name: 'Tom Teammate' }).click();
    await page.getByLabel('Name').click(); // closes the member list
    await page.getByRole('button', { name: 'Create' }).click();
    const team = page.getByTestId('teams-table').getByRole('row').filter({ has: page.getByRole('cell', { name: 'Sales', exact: true }) });
    await team.getByText('Tom Teammate').waitFor();
    await team.getByText('Olivia Owner').waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await shot(page, '20-teams');

    // A role that reads only its members' own contacts, without their phone.
    await page.getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('button', { name: 'New role' }).click();
    // (Exactly: permission labels such as "Rename the tenant" contain "name" too.)
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Own contacts');
    const scope = page.getByRole('textbox', { name: 'Scope of contacts:read' });
    assert.ok(await scope.isDisabled(), 'the scope waits for the permission');
    await page.getByRole('checkbox', { name: /^contacts:read/ }).check();
    await scope.click();
    await page.getByRole('option', { name: 'Own records' }).click();
    await page.getByRole('checkbox', { name: 'Hide contacts.phone' }).check();
    assert.equal(await scope.inputValue(), 'Own records');
    await shot(page, '21-role-editor-scopes');
    await page.getByRole('button', { name: 'Save' }).click();
    const role = page.getByTestId('roles-table').getByRole('row').filter({ has: page.getByRole('cell', { name: 'Own contacts', exact: true }) });
    await role.getByRole('cell', { name: 'contacts:read (own records)', exact: true }).waitFor();
    await role.getByRole('cell', { name: 'contacts.phone', exact: true }).waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await shot(page, '22-roles-scoped');

    // The contacts list: owners by name, and mine / my team / all.
    await page.getByRole('link', { name: 'Contacts' }).click();
    const table = page.getByTestId('contacts-table');
    await table.getByRole('columnheader', { name: 'Owner' }).waitFor();
    const ownerOf = (name) => table.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) }).getByRole('cell').nth(4);
    await table.getByRole('cell', { name: 'Una', exact: true }).waitFor();
    assert.equal(await ownerOf('Ann Lee').textContent(), 'Olivia Owner');
    assert.equal(await ownerOf('Tess').textContent(), 'Tom Teammate');
    assert.equal(await ownerOf('Oscar').textContent(), 'Otto Outsider');
    assert.equal(await ownerOf('Una').textContent(), '—');
    const filter = page.getByTestId('owner-filter');
    const shown = async () => (await table.locator('tbody tr td:first-child').allTextContents()).sort();

    await filter.getByText('Mine', { exact: true }).click();
    await table.getByRole('cell', { name: 'Tess', exact: true }).waitFor({ state: 'detached' });
    assert.deepEqual(await shown(), ['Ann Lee']);
    await shot(page, '23-contacts-owner-mine');

    await filter.getByText('My team', { exact: true }).click();
    await table.getByRole('cell', { name: 'Tess', exact: true }).waitFor();
    assert.deepEqual(await shown(), ['Ann Lee', 'Tess']);

    await filter.getByText('All', { exact: true }).click();
    await table.getByRole('cell', { name: 'Una', exact: true }).waitFor();
    assert.deepEqual(await shown(), ['Ann Lee', 'Oscar', 'Tess', 'Una']);
    await context.close();

    // Otto, with only the new role, reads his own contact and not its phone.
    const { body: again } = await api('POST', '/api/auth/login', null, { email: owner.email, password: PASSWORD });
    assert.equal((await api('PATCH', `/api/users/${otto.id}`, again.access_token, { roles: ['Own contacts'] })).status, 200);
    const ottoView = await newPage();
    await signIn(ottoView.page, ottoEmail);
    await ottoView.page.getByRole('link', { name: 'Contacts' }).click();
    const ottoTable = ottoView.page.getByTestId('contacts-table');
    await ottoTable.getByRole('cell', { name: 'Oscar', exact: true }).waitFor();
    assert.deepEqual((await ottoTable.locator('tbody tr td:first-child').allTextContents()).sort(), ['Oscar']);
    const oscar = ottoTable.getByRole('row').filter({ has: ottoView.page.getByRole('cell', { name: 'Oscar', exact: true }) });
    assert.equal(await oscar.getByRole('cell').nth(2).textContent(), '', 'the phone is hidden');
    assert.equal(await oscar.getByRole('cell').nth(4).textContent(), 'Otto Outsider');
    await shot(ottoView.page, '24-contacts-own-scope');
    await ottoView.context.close();
  });

  it('refreshes an expired access token silently', async () => {
    const { context, page } = await newPage();
    const refreshes = [];
    const seen = [];
    page.on('response', (r) => {
      seen.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
      if (r.url().endsWith('/api/auth/refresh')) refreshes.push(r.status());
    });
    await signIn(page, owner.email);
    const before = refreshes.length;
    // The server runs with ACCESS_TOKEN_TTL_SECONDS=2 (+5 s leeway).
    await page.waitForTimeout(8_000);
    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('cell', { name: 'Ann Lee' }).waitFor();
    assert.ok(refreshes.length > before, `no refresh happened: ${seen.filter((l) => l.includes('/api/')).join(', ')}`);
    // (The first refresh, on the sign-in page with no cookie yet, is a 401.)
    assert.ok(refreshes.slice(before).every((s) => s === 200), `refreshes: ${refreshes}`);
    assert.ok(!page.url().includes('/sign-in'));
    await context.close();
  });

  it('signs out every tab', async () => {
    const { context, page } = await newPage();
    await signIn(page, owner.email);
    const second = await context.newPage();
    await second.goto(`${BASE}/contacts`);
    await second.getByTestId('contacts-table').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await second.waitForURL(/\/sign-in$/);
    await shot(second, '12-signed-out');
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('switches between the tenants a user belongs to', async () => {
    const other = await api('POST', '/api/auth/signup', null, {
      tenant_name: `Second Shop ${run}`, email: `second-${run}@e2e.test`, password: PASSWORD, name: 'Second Owner',
    });
    assert.equal(other.status, 201);
    // The first owner's existing account is invited to the second tenant and accepts the mailed link.
    const invited = await api('POST', '/api/users', other.body.access_token, { email: owner.email, name: 'x', password: PASSWORD, roles: ['viewer'] });
    assert.equal(invited.status, 202);
    const token = await mailedToken(owner.email, 'accept-invitation');
    const accepted = await api('POST', '/api/invitations/accept', null, { token, password: PASSWORD });
    assert.equal(accepted.status, 200);

    const { context, page } = await newPage();
    await signIn(page, owner.email);
    await page.getByTestId('tenant-switcher').click();
    await page.getByRole('option', { name: `Second Shop ${run}` }).click();
    await page.getByRole('heading', { name: `Second Shop ${run}` }).waitFor();
    // A viewer there: no audit log in the navigation.
    assert.ok(!(await page.getByTestId('nav').textContent()).includes('Audit log'));
    await shot(page, '14-switched-tenant');
    await context.close();
  });

  it('serves Swagger UI with no internet access', async () => {
    const { context, page } = await newPage();
    const outside = [];
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === 'localhost' || host === '127.0.0.1') return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    const violations = [];
    page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()));
    await page.goto(`${BASE}/api/docs`);
    await page.locator('.swagger-ui .info .title').getByText('Tenet API').waitFor();
    assert.deepEqual(violations, [], 'Swagger UI must work under its CSP');
    await page.getByText('/api/auth/login').first().waitFor();
    await shot(page, '13-swagger');
    assert.deepEqual(outside, []);
    await context.close();
  });

  it('cannot be framed, and a cross-site form cannot sign the browser in', async () => {
    // The attacker's own workspace and refresh token (login CSRF: the victim
    // would end up signed in to the attacker's look-alike tenant).
    const attacker = await api('POST', '/api/auth/signup', null, {
      tenant_name: `Your Company IT - please verify your account ${run}`, email: `mallory-${run}@e2e.test`, password: PASSWORD, name: 'IT',
    });
    assert.equal(attacker.status, 201);
    const token = attacker.body.refresh_token;
    const page = `<!doctype html><title>evil</title>
      <iframe id="framed" src="${BASE}/sign-in" width="600" height="400"></iframe>
      <iframe name="sink" width="600" height="200"></iframe>
      <form id="csrf" method="POST" action="${BASE}/api/auth/refresh" enctype="text/plain" target="sink">
        <input type="hidden" name='{"refresh_token": "${token}", "x": "' value='"}'>
      </form>`;
    // Another origin: 127.0.0.1 on its own port, while the app is on localhost.
    const evil = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilUrl = `http://127.0.0.1:${evil.address().port}/`;
    try {
      const { context, page: victim } = await newPage();
      const violations = [];
      victim.on('console', (m) => violations.push(m.text()));
      await victim.goto(evilUrl);
      await victim.waitForTimeout(1000);
      // The framed app never renders: frame-ancestors 'none' / X-Frame-Options: DENY.
      const framed = victim.frames().find((f) => f.name() === '' && f !== victim.mainFrame() && f.url() !== 'about:blank');
      const rendered = framed ? await framed.getByLabel('Email').count() : 0;
      assert.equal(rendered, 0, 'the sign-in form must not render inside another site');
      assert.ok(violations.some((v) => /frame-ancestors|X-Frame-Options|refused/i.test(v)), `no framing refusal seen: ${violations}`);
      await shot(victim, '15-framing-refused');

      // The form posts text/plain with a body that parses as JSON: refused, no cookie.
      const answered = victim.waitForResponse((r) => r.url().endsWith('/api/auth/refresh'));
      await victim.evaluate(() => document.getElementById('csrf').submit());
      const response = await answered;
      assert.ok([403, 415].includes(response.status()), `status ${response.status()}`);
      assert.equal((await response.allHeaders())['set-cookie'], undefined);
      assert.equal((await context.cookies(BASE)).filter((c) => c.name === 'tenet_refresh').length, 0);
      // And the victim's browser is not signed in to anything.
      await victim.goto(`${BASE}/`);
      await victim.getByRole('button', { name: 'Sign in' }).waitFor();
      await context.close();
    } finally {
      evil.close();
    }
  });

  it('resets a forgotten password with the mailed link', async () => {
    const email = `forgetful-${run}@e2e.test`;
    const signup = await api('POST', '/api/auth/signup', null, { tenant_name: `Forgetful ${run}`, email, password: PASSWORD, name: 'Forgetful' });
    assert.equal(signup.status, 201);
    const { context, page } = await newPage();
    await page.goto(`${BASE}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Mail me a link' }).click();
    await page.getByRole('status').waitFor();
    const token = await mailedToken(email, 'reset-password');
    await page.goto(`${BASE}/reset-password?token=${token}`);
    await page.getByLabel('New password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('status').getByText('Your password is changed').waitFor();
    await shot(page, '16-password-reset');
    await signIn(page, email, 'a brand new passphrase');
    assert.equal(await page.getByTestId('user-name').textContent(), 'Forgetful');
    await context.close();
  });

  it('joins a workspace through a mailed invitation', async () => {
    const inviter = await api('POST', '/api/auth/signup', null, {
      tenant_name: `Inviting Shop ${run}`, email: `inviter-${run}@e2e.test`, password: PASSWORD, name: 'Inviter',
    });
    assert.equal(inviter.status, 201);
    const email = `invitee-${run}@e2e.test`;
    const invited = await api('POST', '/api/invitations', inviter.body.access_token, { email, roles: ['viewer'] });
    assert.equal(invited.status, 201);
    const token = await mailedToken(email, 'accept-invitation');
    // The inviter sees it pending on the users screen.
    const inviterView = await newPage();
    await signIn(inviterView.page, `inviter-${run}@e2e.test`);
    await inviterView.page.getByRole('link', { name: 'Users' }).click();
    await inviterView.page.getByTestId('invitations-table').getByText(email).waitFor();
    await shot(inviterView.page, '18-pending-invitation');
    await inviterView.context.close();
    const { context, page } = await newPage();
    await page.goto(`${BASE}/accept-invitation?token=${token}`);
    await page.getByRole('heading', { name: /^Join / }).waitFor();
    await shot(page, '17-invitation');
    await page.getByLabel('Your name').fill('Ivy Invitee');
    await page.getByLabel('Choose a password').fill('an invitee passphrase');
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page.getByTestId('dashboard').waitFor();
    assert.equal(await page.getByTestId('user-name').textContent(), 'Ivy Invitee');
    // The link works once.
    await page.goto(`${BASE}/accept-invitation?token=${token}`);
    await page.getByRole('alert').getByText('not valid any more').waitFor();
    await context.close();
  });

  it('creates an API key, shows its secret once, uses it and revokes it', async () => {
    const email = `keys-${run}@e2e.test`;
    const signup = await api('POST', '/api/auth/signup', null, { tenant_name: `Keys ${run}`, email, password: PASSWORD, name: 'Kim Keys' });
    assert.equal(signup.status, 201);
    const { context, page } = await newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    await signIn(page, email);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API keys yet').waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Name').fill('Zapier sync');
    await page.getByRole('checkbox', { name: 'viewer' }).check();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const secret = (await page.getByTestId('new-key-secret').textContent()).trim();
    assert.match(secret, /^tnt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await page.getByTestId('api-keys-table').getByText('Zapier sync').waitFor();
    await shot(page, '19-api-keys');
    // The key reads as a viewer, and cannot write.
    assert.equal((await api('GET', '/api/companies', secret)).status, 200);
    assert.equal((await api('POST', '/api/companies', secret, { name: 'Nope' })).status, 403);
    // Shown once: after a reload only the prefix remains.
    await page.reload();
    await page.getByTestId('api-keys-table').getByText('Zapier sync').waitFor();
    assert.equal(await page.getByTestId('new-key-secret').count(), 0);
    assert.equal(await page.getByText(secret).count(), 0);
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No API keys yet').waitFor();
    assert.equal((await api('GET', '/api/companies', secret)).status, 401);
    await context.close();
  });

  it('creates a deal, moves it to Won on the board, and finds it there after a reload', async () => {
    const email = `deals-${run}@e2e.test`;
    const signup = await api('POST', '/api/auth/signup', null, { tenant_name: `Deals ${run}`, email, password: PASSWORD, name: 'Dana Deals' });
    assert.equal(signup.status, 201);
    const { context, page } = await newPage();
    await signIn(page, email);
    await page.getByRole('link', { name: 'Deals' }).click();
    await page.getByText('No deals yet — create your first deal').waitFor();
    await shot(page, '26-deals-empty');
    const column = (name) => page.getByRole('region', { name, exact: true });
    await page.getByRole('button', { name: 'New deal' }).click();
    await page.getByLabel('Name').fill('Acme renewal');
    await page.getByLabel('Amount').fill('1500.50');
    assert.equal(await page.getByLabel('Currency').inputValue(), 'EUR');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await column('Lead').getByText('Acme renewal').waitFor();
    assert.equal(await column('Lead').getByText('€1,500.50').count(), 2); // the card and the column's total
    const card = page.getByTestId('deal-card').filter({ hasText: 'Acme renewal' });
    await card.getByLabel('Move to…').selectOption({ label: 'Won' });
    await column('Won').getByText('Acme renewal').waitFor();
    await page.waitForLoadState('networkidle');
    await page.reload();
    await column('Won').getByText('Acme renewal').waitFor();
    assert.equal(await column('Lead').getByTestId('deal-card').count(), 0);
    assert.equal(await column('Won').getByTestId('stage-count').textContent(), '1');
    await column('Won').scrollIntoViewIfNeeded();
    await shot(page, '25-deals-board');
    await context.close();
  });
  it('switches the board to another pipeline and stays on it after a reload', async () => {
    const email = `pipelines-${run}@e2e.test`;
    const signup = await api('POST', '/api/auth/signup', null, { tenant_name: `Pipelines ${run}`, email, password: PASSWORD, name: 'Pia Pipeline' });
    assert.equal(signup.status, 201);
    const token = signup.body.access_token;
    const partners = await api('POST', '/api/pipelines', token, { name: 'Partners', stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }] });
    assert.equal(partners.status, 201, JSON.stringify(partners.body));
    const reseller = await api('POST', '/api/deals', token, { name: 'Reseller deal', amount: '900', currency: 'EUR', pipeline_id: partners.body.id });
    assert.equal(reseller.status, 201);
    const first = await api('POST', '/api/deals', token, { name: 'Direct deal' });
    assert.equal(first.status, 201);

    const { context, page } = await newPage();
    await signIn(page, email);
    await page.getByRole('link', { name: 'Deals', exact: true }).click();
    const columns = () => page.getByTestId('stage-column').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    await page.getByTestId('deal-card').filter({ hasText: 'Direct deal' }).waitFor();
    assert.equal(await page.getByTestId('deal-card').filter({ hasText: 'Reseller deal' }).count(), 0);
    const selector = page.getByTestId('pipeline-selector');
    await selector.getByText('Partners', { exact: true }).click();
    await page.waitForURL(new RegExp(`/deals\\?pipeline=${partners.body.id}$`));
    await page.getByRole('region', { name: 'New', exact: true }).getByText('Reseller deal').waitFor();
    assert.deepEqual(await columns(), ['New', 'Won']);
    assert.equal(await page.getByTestId('deal-card').filter({ hasText: 'Direct deal' }).count(), 0);
    await page.getByRole('heading', { name: 'Deals — Partners' }).waitFor();
    await page.waitForLoadState('networkidle');
    await shot(page, 'deals-pipelines');

    await page.reload();
    await page.getByRole('region', { name: 'New', exact: true }).getByText('Reseller deal').waitFor();
    assert.deepEqual(await columns(), ['New', 'Won']);
    assert.equal(await selector.getByRole('radio', { name: 'Partners' }).isChecked(), true);
    await context.close();
  });

  it('switches to dark mode, keeps it, and finds records with the global search', async () => {
    // Dana's workspace (the deals test above): Acme renewal is Won, €1,500.50. A few more Acme records to find.
    const email = `deals-${run}@e2e.test`;
    const { body: session } = await api('POST', '/api/auth/login', null, { email, password: PASSWORD });
    for (const [path, body] of [
      ['/api/companies', { name: 'Acme Corporation', domain: 'acme.test' }],
      ['/api/contacts', { first_name: 'Ada', last_name: 'Acme', email: 'ada@acme.test' }],
      ['/api/deals', { name: 'Acme expansion', amount: '20000', currency: 'USD' }],
    ]) {
      assert.equal((await api('POST', path, session.access_token, body)).status, 201, path);
    }

    const { context, page } = await newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await signIn(page, email);
    const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');
    assert.equal(await scheme(), 'light', 'follows the system until the user picks');

    // The dashboard: per stage of the pipeline, its count and exact totals, linking to the board.
    const stage = (name) => page.getByTestId('stage-summary').filter({ has: page.getByText(name, { exact: true }) });
    await stage('Won').getByText('€1,500.50').waitFor();
    assert.equal(await stage('Won').getByTestId('stage-summary-count').textContent(), '1');
    await stage('Lead').getByText('$20,000.00').waitFor();
    await page.getByTestId('pipeline-open-total').getByText('Open pipeline: $20,000.00').waitFor();

    await page.getByRole('button', { name: 'Toggle color scheme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
    await shot(page, 'dark-dashboard');
    await page.reload();
    await page.getByTestId('dashboard').waitFor();
    assert.equal(await scheme(), 'dark', 'the choice survives a reload');

    await page.getByRole('link', { name: 'Deals', exact: true }).click();
    await page.getByRole('region', { name: 'Won', exact: true }).getByText('Acme renewal').waitFor();
    await shot(page, 'dark-deals');

    // Ctrl+K: grouped hits, picked with the arrow keys and Enter.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('dashboard').waitFor();
    await page.keyboard.press('Control+K');
    const dialog = page.getByRole('dialog', { name: 'Search' });
    await dialog.getByRole('combobox', { name: 'Search records' }).waitFor();
    // The dialog focuses its box once it has opened; keys typed before that
    // go nowhere (the test types faster than a person).
    const searchFocused = () =>
      page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Search records');
    await searchFocused();
    await page.keyboard.type('acme');
    const group = (name) => dialog.getByRole('group', { name, exact: true });
    await group('Companies').getByRole('option', { name: /Acme Corporation/ }).waitFor();
    await group('Contacts').getByRole('option', { name: /Ada Acme/ }).waitFor();
    await group('Deals').getByRole('option', { name: /Acme renewal/ }).waitFor();
    await group('Deals').getByRole('option', { name: /Acme expansion/ }).waitFor();
    const options = await dialog.getByRole('option').allTextContents();
    assert.equal(options.length, 4, options.join(' | '));
    // Company, contact, then the deals newest first: the renewal is the last hit, one step up from the first.
    await page.keyboard.press('ArrowUp');
    const picked = group('Deals').getByRole('option', { name: /Acme renewal/ });
    assert.equal(await picked.getAttribute('aria-selected'), 'true');
    await shot(page, 'search');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/deals\/[0-9a-f-]+$/);
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('record-title').getByText('Acme renewal').waitFor();
    await page.getByTestId('deal-stage').getByText('Won').waitFor();

    // "/" (when not typing) opens it too; a contact opens its detail page.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('/');
    await dialog.getByRole('combobox', { name: 'Search records' }).waitFor();
    await searchFocused();
    await page.keyboard.type('Ada');
    await group('Contacts').getByRole('option', { name: /Ada Acme/ }).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/contacts\/[0-9a-f-]+$/);
    await page.getByTestId('record-title').getByText('Ada Acme').waitFor();
    await page.getByTestId('record-fields').getByText('ada@acme.test').waitFor();

    // An empty list tells a new user what to do, and reads well in the dark too.
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByText('No teams yet — create your first team').waitFor();
    await page.getByRole('button', { name: 'Add your first team' }).waitFor();
    await shot(page, 'dark-teams-empty');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await scheme(), 'dark');
    await shot(page, 'dark-sign-in');
    await context.close();
  });
  it('opens a deal from the board, adds a note and tasks, and reads its timeline, the company, "My tasks" and the audit diff', async () => {
    const email = `detail-${run}@e2e.test`;
    const signup = await api('POST', '/api/auth/signup', null, { tenant_name: `Details ${run}`, email, password: PASSWORD, name: 'Dora Detail' });
    assert.equal(signup.status, 201);
    const token = signup.body.access_token;
    const umbrella = await api('POST', '/api/companies', token, { name: 'Umbrella Corp', domain: 'umbrella.test', industry: 'Pharma' });
    assert.equal(umbrella.status, 201);
    const carl = await api('POST', '/api/contacts', token, { first_name: 'Carl', last_name: 'Contact', email: 'carl@umbrella.test', company_id: umbrella.body.id });
    assert.equal(carl.status, 201);
    const deal = await api('POST', '/api/deals', token, { name: 'Umbrella rollout', amount: '5000', currency: 'EUR', company_id: umbrella.body.id, contact_ids: [carl.body.id] });
    assert.equal(deal.status, 201);
    // A deal Carl is on without his company: the contact's page finds it by the contact filter.
    const side = await api('POST', '/api/deals', token, { name: 'Carl side project', amount: '750', currency: 'EUR', contact_ids: [carl.body.id] });
    assert.equal(side.status, 201);
    const day = (offset) => {
      const d = new Date(Date.now() + offset * 86_400_000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };

    const { context, page } = await newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await signIn(page, email);

    // From the board to the deal's page.
    await page.getByRole('link', { name: 'Deals', exact: true }).click();
    await page.getByTestId('deal-card').getByRole('link', { name: 'Umbrella rollout' }).click();
    await page.waitForURL(new RegExp(`/deals/${deal.body.id}$`));
    await page.getByTestId('record-title').getByText('Umbrella rollout').waitFor();
    await page.getByTestId('deal-amount').getByText('€5,000.00').waitFor();
    await page.getByTestId('deal-contacts').getByRole('link', { name: 'Carl Contact' }).waitFor();
    await page.getByTestId('record-fields').getByRole('link', { name: 'Umbrella Corp' }).waitFor();

    // A move from the page: a change on the timeline, by name, field by field.
    await page.getByLabel('Stage', { exact: true }).selectOption({ label: 'Qualified' });
    await page.getByTestId('deal-stage').getByText('Qualified').waitFor();

    // A note (plain text: markup stays text), two tasks, one of them completed.
    await page.getByLabel('New note').fill('Called Carl:\nwants a quote by Friday <b>not bold</b>');
    await page.getByRole('button', { name: 'Add note' }).click();
    const notes = page.getByTestId('notes-panel');
    await notes.getByTestId('note-body').filter({ hasText: 'wants a quote by Friday' }).waitFor();
    assert.equal(await notes.locator('b').count(), 0, 'a note is never rendered as HTML');
    const tasks = page.getByTestId('tasks-panel');
    await tasks.getByLabel('New task').fill('Send the quote');
    await tasks.getByLabel('Due date').fill(day(-1));
    await tasks.getByRole('button', { name: 'Add task' }).click();
    await tasks.getByRole('checkbox', { name: 'Send the quote' }).waitFor();
    await tasks.getByLabel('New task').fill('Book a demo');
    await tasks.getByLabel('Due date').fill(day(7));
    await tasks.getByRole('button', { name: 'Add task' }).click();
    await tasks.getByRole('checkbox', { name: 'Book a demo' }).click();
    await tasks.locator('[data-testid="task"][data-done]').filter({ hasText: 'Book a demo' }).waitFor();
    await tasks.locator('[data-testid="task"][data-overdue]').filter({ hasText: 'Send the quote' }).waitFor();

    // The timeline, newest first: the tasks, the note, the move and the creation, each by Dora.
    const timeline = page.getByTestId('timeline');
    const item = (kind) => timeline.locator(`[data-testid="timeline-item"][data-kind="${kind}"]`);
    await item('note').filter({ hasText: 'wants a quote by Friday' }).waitFor();
    await item('task').filter({ hasText: 'Book a demo' }).filter({ hasText: 'Done' }).waitFor();
    await item('task').filter({ hasText: 'Send the quote' }).waitFor();
    await item('change').filter({ hasText: 'Dora Detail updated' }).locator('[data-field="stage_id"][title="Stage: Lead → Qualified"]').waitFor();
    await item('change').filter({ hasText: 'Dora Detail created' }).locator('[data-field="name"][title="Name: Umbrella rollout"]').waitFor();
    const kinds = await timeline.locator('[data-testid="timeline-item"]').evaluateAll((els) => els.map((e) => e.dataset.kind));
    assert.deepEqual(kinds.slice(0, 3), ['task', 'task', 'note'], kinds.join(','));
    assert.equal(kinds.at(-1), 'change');
    await page.waitForLoadState('networkidle');
    await shot(page, 'deal-detail');

    // The company from its list: its contacts and deals; then the contact.
    await page.getByRole('link', { name: 'Companies', exact: true }).click();
    await page.getByTestId('companies-table').getByRole('link', { name: 'Umbrella Corp' }).click();
    await page.waitForURL(new RegExp(`/companies/${umbrella.body.id}$`));
    await page.getByTestId('company-contacts').getByRole('link', { name: 'Carl Contact' }).waitFor();
    await page.getByTestId('company-deals').getByRole('link', { name: 'Umbrella rollout' }).waitFor();
    await page.getByTestId('company-deals').getByText('Qualified · €5,000.00').waitFor();
    await page.getByTestId('timeline').locator('[data-kind="change"]').filter({ hasText: 'Dora Detail created' }).waitFor();
    await page.waitForLoadState('networkidle');
    await shot(page, 'company-detail');
    await page.getByTestId('company-contacts').getByRole('link', { name: 'Carl Contact' }).click();
    await page.waitForURL(new RegExp(`/contacts/${carl.body.id}$`));
    await page.getByTestId('record-fields').getByRole('link', { name: 'Umbrella Corp' }).waitFor();
    const contactDeals = page.getByTestId('contact-deals');
    await contactDeals.getByRole('link', { name: 'Umbrella rollout' }).waitFor();
    await contactDeals.getByRole('link', { name: 'Carl side project' }).waitFor();
    await contactDeals.getByText('Lead · €750.00').waitFor();
    await contactDeals.getByRole('heading', { name: 'Deals (2)' }).waitFor();
    await page.getByLabel('New note').fill('Prefers email over calls.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('timeline').locator('[data-kind="note"]').filter({ hasText: 'Prefers email over calls.' }).waitFor();
    // Its author edits the note in place.
    // (newest first: the note just added; while edited, its text is in the box, not on the card)
    const note = page.getByTestId('notes-panel').getByTestId('note').first();
    await note.getByTestId('note-body').getByText('Prefers email over calls.').waitFor();
    await note.getByRole('button', { name: 'Edit' }).click();
    await note.getByLabel('Edit note').fill('Prefers email over calls; never before 10am.');
    await note.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('notes-panel').getByTestId('note-body').filter({ hasText: 'Prefers email over calls; never before 10am.' }).waitFor();
    assert.equal(await page.getByLabel('Edit note').count(), 0);
    await page.getByTestId('timeline').locator('[data-kind="note"]').filter({ hasText: 'never before 10am' }).waitFor();
    await page.waitForLoadState('networkidle');
    await shot(page, 'contact-detail');

    // A record that is not there.
    await page.goto(`${BASE}/deals/00000000-0000-0000-0000-000000000000`);
    await page.getByTestId('record-not-found').getByText('Deal not found').waitFor();
    await shot(page, 'record-not-found');

    // "My tasks": the open one, overdue, linking to the deal; completing it empties the list.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const mine = page.getByTestId('my-tasks');
    const open = mine.getByTestId('task').filter({ hasText: 'Send the quote' });
    await open.waitFor();
    assert.equal(await open.getAttribute('data-overdue'), 'true');
    await open.getByText(`Overdue · ${day(-1)}`).waitFor();
    await open.getByRole('link', { name: 'Deal: Umbrella rollout' }).waitFor();
    assert.equal(await mine.getByText('Book a demo').count(), 0, 'done tasks are not listed');
    await shot(page, 'my-tasks');
    await open.getByRole('checkbox', { name: 'Send the quote' }).click(); // (the task leaves the list at once)
    await mine.getByText('No open tasks — add one from a record\'s page').waitFor();

    // The audit log: changes field by field, the actor by name; security events folded.
    await page.getByRole('link', { name: 'Audit log' }).click();
    const audit = page.getByTestId('audit-table');
    const move = audit.getByRole('row').filter({ has: page.locator('[data-field="stage_id"]') }).first();
    await move.waitFor();
    await move.getByText('Dora Detail').waitFor();
    assert.equal(await move.locator('[data-field="stage_id"]').getAttribute('title'), 'Stage: Lead → Qualified');
    const noteRow = audit.getByRole('row').filter({ has: page.locator('[data-field="body"][title="Body: Prefers email over calls."]') });
    await noteRow.getByRole('cell', { name: 'insert' }).waitFor();
    // The newest entries, as the screen opens (the whole page holds 50 entries).
    await page.screenshot({ path: `${ARTIFACTS}audit-diff.png` });

    // The deal's page in the dark.
    await page.getByRole('button', { name: 'Toggle color scheme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.mantineColorScheme === 'dark');
    await page.goto(`${BASE}/deals/${deal.body.id}`);
    await page.getByTestId('timeline').locator('[data-kind="note"]').waitFor();
    await page.waitForLoadState('networkidle');
    await shot(page, 'dark-deal-detail');
    await context.close();
  });

  it('manages a webhook endpoint: the secret once, the enabled switch, the delivery log with a replay, delete', async () => {
    const email = `hooks-${run}@e2e.test`;
    const signup = await api('POST', '/api/auth/signup', null, { tenant_name: `Hooks ${run}`, email, password: PASSWORD, name: 'Hugo Hooks' });
    assert.equal(signup.status, 201);
    const url = 'https://hooks.example.com/x';

    const { context, page } = await newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await signIn(page, email);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhook endpoints yet — add your first endpoint').waitFor();
    await shot(page, 'webhooks-empty');

    // A private address: the API refuses it, on the field.
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('pick at least one event').waitFor(); // checked before the API is asked
    await dialog.getByRole('textbox', { name: 'URL' }).fill('http://127.0.0.1:9/x');
    await dialog.getByRole('textbox', { name: 'Events' }).click();
    await page.getByRole('option', { name: 'contact.created' }).click();
    await page.getByRole('option', { name: 'deal.stage_changed' }).click();
    await dialog.getByRole('textbox', { name: 'URL' }).click(); // closes the event list
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.locator('input[name="url"][aria-invalid="true"]').waitFor();
    await shot(page, 'webhook-form-refused');
    await dialog.getByRole('textbox', { name: 'URL' }).fill(url);
    await dialog.getByRole('textbox', { name: 'Description' }).fill('The CRM sync');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The secret, once.
    const secret = await page.getByTestId('new-secret-value').textContent();
    assert.match(secret, /^whsec_/);
    const row = page.getByTestId('webhook-row').filter({ hasText: url });
    await row.getByText('contact.created').waitFor();
    await row.getByText('deal.stage_changed').waitFor();
    await row.getByText('Enabled', { exact: true }).waitFor();
    assert.equal(await row.getByTestId('consecutive-failures').textContent(), '0');
    await shot(page, 'webhooks-created');
    await page.reload();
    await row.waitFor();
    assert.equal(await page.getByTestId('new-secret').count(), 0, 'the secret is shown only once');
    assert.equal(await page.getByText(secret).count(), 0);

    // Disabled and enabled again with the switch (it survives a reload).
    const toggle = row.getByRole('switch');
    await toggle.click();
    await row.getByText('Disabled', { exact: true }).waitFor();
    await page.reload();
    await row.getByText('Disabled', { exact: true }).waitFor();
    assert.equal(await toggle.isChecked(), false);
    await toggle.click();
    await row.getByText('Enabled', { exact: true }).waitFor();

    // Edit: the description.
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the endpoint' });
    assert.equal(await edit.getByRole('textbox', { name: 'URL' }).inputValue(), url);
    await edit.getByRole('textbox', { name: 'Description' }).fill('The CRM sync (EU)');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await row.getByText('The CRM sync (EU)').waitFor();

    // A rotated secret is shown once too.
    page.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await page.getByTestId('new-secret-value').textContent();
    assert.match(rotated, /^whsec_/);
    assert.notEqual(rotated, secret);

    // The delivery log: empty, then the event of a new contact, its body, and a replay.
    await row.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByTestId('record-title').getByText(url).waitFor();
    await page.getByTestId('deliveries-empty').waitFor();
    await shot(page, 'webhook-deliveries-empty');
    const { body: session } = await api('POST', '/api/auth/login', null, { email, password: PASSWORD });
    assert.equal((await api('POST', '/api/contacts', session.access_token, { first_name: 'Hook', last_name: 'Target' })).status, 201);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const delivery = page.getByTestId('delivery-row').first();
    await delivery.getByText('contact.created').waitFor();
    await delivery.getByRole('button', { name: 'Show the body' }).click();
    await page.getByTestId('delivery-payload').getByText('"first_name": "Hook"').waitFor();
    await delivery.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('The event is sent again as a new delivery').waitFor();
    await page.getByTestId('delivery-row').nth(1).waitFor();
    await page.getByTestId('delivery-row').first().getByText('replay', { exact: true }).waitFor();
    await shot(page, 'webhook-deliveries');

    // Deleted, with its log.
    await page.getByRole('link', { name: '← Webhooks' }).click();
    page.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No webhook endpoints yet — add your first endpoint').waitFor();
    await context.close();
  });

  it('exports contacts as CSV with the list filters, and imports a CSV file: mapping, dry run, run, revert', async () => {
    const email = `data-${run}@e2e.test`;
    const signup = await api('POST', '/api/auth/signup', null, { tenant_name: `Data ${run}`, email, password: PASSWORD, name: 'Dana Data' });
    assert.equal(signup.status, 201);
    assert.equal((await api('POST', '/api/contacts', signup.body.access_token, { first_name: 'Ann', last_name: 'Export', email: 'ann@export.test' })).status, 201);

    const { context, page } = await newPage();
    await page.emulateMedia({ colorScheme: 'light' });
    await signIn(page, email);
    await page.getByRole('link', { name: 'Contacts' }).click();
    const table = page.getByTestId('contacts-table');
    await table.getByRole('cell', { name: 'Ann Export' }).waitFor();
    await shot(page, 'contacts-data-buttons');

    // The export: every contact, as a file named by the server; with a search, only what matches.
    const exported = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      assert.match(download.suggestedFilename(), /^contacts-\d{4}-\d{2}-\d{2}\.csv$/);
      return readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
    };
    const all = await exported();
    assert.match(all[0], /^id,first_name,last_name,email/);
    assert.equal(all.length, 2, all.join('\n'));
    assert.ok(all[1].includes('ann@export.test'), all[1]);
    await page.getByLabel('Search contacts').fill('nobody-like-that');
    await page.getByText('No contacts matching').waitFor();
    assert.equal((await exported()).length, 1, 'only the header: the export has the list filters');
    await page.getByLabel('Search contacts').fill('');

    // A file with a column to ignore and a bad row.
    const file = join(mkdtempSync(join(tmpdir(), 'tenet-e2e-')), 'people.csv');
    writeFileSync(file, 'First name,Last name,E-mail,Favourite colour\nImogen,Import,imogen@import.test,blue\nBad,Row,not-an-email,red\n');
    await page.getByRole('link', { name: 'Import', exact: true }).click();
    await page.waitForURL(/\/import\?resource=contacts$/);
    await page.getByTestId('import-wizard').waitFor();
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole('button', { name: 'Next: map the columns' }).click();
    const mapping = page.getByTestId('mapping-table');
    await mapping.waitFor();
    const field = (header) => page.getByRole('textbox', { name: `Field for ${header}` });
    assert.equal(await field('First name').inputValue(), 'first_name (required)');
    assert.equal(await field('Last name').inputValue(), 'last_name');
    assert.equal(await field('E-mail').inputValue(), 'email');
    assert.equal(await field('Favourite colour').inputValue(), 'Ignore this column');
    assert.ok(await page.getByRole('radio', { name: 'Update' }).isDisabled(), 'update needs the id column');
    await page.getByText('Needs a column mapped to the id field').first().waitFor();
    await shot(page, 'import-mapping');

    // The dry run: one row would go in, one is refused; nothing is kept.
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    const report = page.getByTestId('dry-run-report');
    const count = (scope, testId) => scope.getByTestId(testId).getByTestId('count-value').textContent();
    await report.waitFor();
    assert.equal(await count(report, 'rows-total'), '2');
    assert.equal(await count(report, 'rows-created'), '1');
    assert.equal(await count(report, 'rows-failed'), '1');
    const refused = report.getByTestId('dry-run-errors').getByRole('row').filter({ has: page.getByRole('cell', { name: 'email', exact: true }) });
    await refused.getByRole('cell', { name: '2', exact: true }).waitFor();
    await shot(page, 'import-dry-run');
    const { body: check } = await api('POST', '/api/auth/login', null, { email, password: PASSWORD });
    assert.equal((await api('GET', '/api/contacts?q=imogen', check.access_token)).body.items.length, 0, 'a dry run keeps nothing');

    // The run.
    await page.getByRole('button', { name: 'Import 1 row, skip 1' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    await result.getByTestId('import-status').getByText('completed').waitFor();
    assert.equal(await count(result, 'rows-created'), '1');
    assert.equal(await count(result, 'rows-failed'), '1');
    await result.getByRole('button', { name: 'Show the 1 refused row' }).click();
    await result.getByTestId('import-errors').getByRole('cell', { name: 'email', exact: true }).waitFor();
    await shot(page, 'import-result');
    await result.getByRole('link', { name: 'Open contacts' }).click();
    await table.getByRole('cell', { name: 'Imogen Import' }).waitFor();
    assert.equal(await table.getByRole('cell', { name: 'Bad Row' }).count(), 0);

    // Reverted from the history: the contact is gone again.
    await page.goto(`${BASE}/imports`);
    const imported = page.getByTestId('import-row').filter({ hasText: 'people.csv' });
    await imported.getByText('completed').waitFor();
    page.once('dialog', (d) => d.accept());
    await imported.getByRole('button', { name: 'Revert' }).click();
    await imported.getByText('reverted').waitFor();
    await shot(page, 'imports-history');
    await page.getByRole('link', { name: 'Contacts' }).click();
    await table.getByRole('cell', { name: 'Ann Export' }).waitFor();
    assert.equal(await table.getByRole('cell', { name: 'Imogen Import' }).count(), 0);
    await context.close();
  });
});
