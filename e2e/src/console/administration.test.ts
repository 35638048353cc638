// The Administration view (issue 18) in Chromium against the real daemon, PostgreSQL, Redis
// and capi-sim: demo-admin adds a user with a role, gives it a right on a mailbox and
// creates and revokes an API token for it, each checked in the database; the configuration
// page does not show a secret a recorded version holds (nor does the export); demo-postoffice
// sees Administration but the server refuses it making an admin (403 shown, access.denied
// audited); demo-operator is refused by URL (audited); axe on every sub-page.
import { configVersions, credentials } from '@faxgate/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../test-support/browser.js';
import { type ConsoleWorld, startConsoleWorld } from './console-world.js';

let cw: ConsoleWorld;

beforeAll(async () => {
  cw = await startConsoleWorld();
}, 180_000);

afterAll(async () => {
  await cw?.close();
});

const SUBPAGES = [
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['mailboxes', 'Mailboxes'],
  ['grants', 'Rights'],
  ['tokens', 'API tokens'],
  ['configuration', 'Configuration'],
  ['pilot', 'Pilot and release'],
] as const;

async function signedIn(user: string): Promise<Page> {
  const page = await cw.newPage();
  await cw.signIn(page, user);
  return page;
}

const subNav = (page: Page) => page.getByRole('navigation', { name: 'Administration sections' });

async function openSub(page: Page, name: string): Promise<void> {
  await subNav(page).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
}

async function deniedEvents(
  actor: string,
): Promise<Array<{ subject: string; details: Record<string, unknown> }>> {
  return cw.world.db('audit_events').where({ type: 'access.denied', actor }).select('subject', 'details');
}

describe('demo-admin', () => {
  it('adds a user with a role, gives it a right on a mailbox, creates and revokes its token', async () => {
    const page = await signedIn('demo-admin');
    try {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Administration' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      // The view opens its first page; the secondary navigation lists every page an admin gets.
      await page.getByRole('heading', { level: 2, name: 'Users' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/administration/users');
      expect(await subNav(page).getByRole('link').allTextContents()).toEqual(SUBPAGES.map(([, n]) => n));

      // A user with a role.
      const add = page.getByRole('form', { name: 'Add a user' });
      await add.getByLabel('Login name').fill('clerk');
      await add.getByLabel('Display name').fill('Clerk Kent');
      await add.getByLabel('Password (optional)').fill('a long enough password 42');
      await add.getByRole('checkbox', { name: 'user' }).uncheck();
      await add.getByRole('checkbox', { name: 'operator' }).check();
      await add.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('status').filter({ hasText: 'User clerk added.' }).waitFor();
      await page.locator('tr[data-user="clerk"]').waitFor();
      const clerk = await cw.world.db('users').where({ name: 'clerk' }).first();
      expect(clerk.display_name).toBe('Clerk Kent');
      expect((await cw.world.db('user_roles').where({ user_id: clerk.id })).map((r) => r.role)).toEqual([
        'operator',
      ]);

      // A right on a mailbox, through the grants page.
      await openSub(page, 'Rights');
      await page.getByLabel('Mailbox', { exact: true }).selectOption('alice-out');
      await page.getByRole('table', { name: 'Rights on the mailbox alice-out' }).waitFor();
      const give = page.getByRole('form', { name: 'Give a right on alice-out' });
      await give.getByLabel('Give the right to a').selectOption('user');
      await give.getByLabel('User or group').selectOption('clerk');
      await give.getByLabel('Right', { exact: true }).selectOption('out.stop');
      await give.getByRole('button', { name: 'Give right' }).click();
      await page.getByRole('status').filter({ hasText: 'out.stop on alice-out given to clerk.' }).waitFor();
      await page.getByRole('row', { name: /user clerk out\.stop/ }).waitFor();
      const granted = await cw.world
        .db('grants')
        .join('mailboxes', 'mailboxes.id', 'grants.mailbox_id')
        .where({ 'grants.user_id': clerk.id })
        .select('mailboxes.name as mailbox', 'grants.right as right');
      expect(granted).toEqual([{ mailbox: 'alice-out', right: 'out.stop' }]);

      // A token for clerk: the secret is shown once and is the one the database knows the hash of.
      await openSub(page, 'API tokens');
      await page.getByLabel('Tokens of').selectOption('clerk');
      await page.getByRole('table', { name: 'API tokens: clerk' }).waitFor();
      const create = page.getByRole('form', { name: 'Create an API token (clerk)' });
      await create.getByLabel('Token name').fill('scanner');
      await create.getByRole('button', { name: 'Create token' }).click();
      const secretField = page.getByLabel('Secret of the token scanner');
      await secretField.waitFor();
      const secret = await secretField.inputValue();
      const token = await cw.world.db('credentials').where({ user_id: clerk.id, kind: 'token' }).first();
      expect(token.name).toBe('scanner');
      expect(token.secret_hash).toBe(credentials.hashSecret(secret));
      expect(token.revoked_at).toBeNull();
      const row = page.locator(`tr[data-token="${token.id}"]`);
      await row.waitFor();
      // Revoking asks first; Cancel leaves the token alone.
      await row.getByRole('button', { name: 'Revoke scanner' }).click();
      await row.getByRole('button', { name: 'Cancel' }).click();
      expect((await cw.world.db('credentials').where({ id: token.id }).first()).revoked_at).toBeNull();
      await row.getByRole('button', { name: 'Revoke scanner' }).click();
      await row.getByRole('group', { name: /Revoke the token scanner\?/ }).waitFor();
      await row.getByRole('button', { name: 'Yes, revoke' }).click();
      await page.getByRole('status').filter({ hasText: 'Token scanner revoked.' }).waitFor();
      // The list shows the tokens still valid (the API leaves revoked ones out).
      await row.waitFor({ state: 'detached' });
      expect((await cw.world.db('credentials').where({ id: token.id }).first()).revoked_at).not.toBeNull();
      // Shown once: another owner and back, and the secret is gone from the page.
      await page.getByLabel('Tokens of').selectOption('');
      await page.getByLabel('Tokens of').selectOption('clerk');
      await page.getByRole('table', { name: 'API tokens: clerk' }).waitFor();
      expect(await page.content()).not.toContain(secret);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('sees the configuration without a secret a recorded version holds, in the page and the export', async () => {
    const secret = 'hunter2-sessionsecret-e2e';
    const v = await configVersions.record(cw.world.db, {
      author: 'someone-before-redaction',
      node: 'e2e-old',
      content: `api:\n  sessionSecret: ${secret}\nredis:\n  url: redis://:${secret}@127.0.0.1:6379\n`,
    });
    const page = await signedIn('demo-admin');
    try {
      await page.goto(`${cw.base}/administration/configuration`);
      await page.getByRole('heading', { level: 2, name: 'Configuration' }).waitFor();
      await page.locator(`tr[data-version="${v.version}"]`).getByRole('button', { name: /^Show/ }).click();
      await page
        .getByRole('heading', { name: `Version ${v.version} of node e2e-old (secrets redacted)` })
        .waitFor();
      const shown = await page.locator('[data-config-content]').textContent();
      expect(shown).toContain('sessionSecret');
      expect(shown).not.toContain(secret);
      expect(await page.content()).not.toContain(secret);
      // The export the page links to, with this browser's session.
      const href = await page.getByRole('link', { name: /Export every version/ }).getAttribute('href');
      const r = await page.request.get(`${cw.base}${href}`);
      expect(r.status()).toBe(200);
      const body = await r.text();
      expect(body).toContain('someone-before-redaction');
      expect(body).not.toContain(secret);
    } finally {
      await page.context().close();
    }
  });

  it('has no serious or critical accessibility violation on any sub-page (axe-core)', async () => {
    const page = await signedIn('demo-admin');
    try {
      await page.goto(`${cw.base}/administration/users`);
      for (const [path, name] of SUBPAGES) {
        await openSub(page, name);
        expect(new URL(page.url()).pathname).toBe(`/administration/${path}`);
        await page.waitForLoadState('networkidle');
        expect(await seriousViolations(page), path).toEqual([]);
      }
      // With a user being managed and a confirmation open, too.
      await openSub(page, 'Users');
      await page.getByRole('button', { name: 'Manage demo-auditor' }).click();
      await page.getByRole('button', { name: 'Disable demo-auditor' }).click();
      await page.getByRole('button', { name: 'Yes, disable' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Cancel' }).click();
      expect((await cw.world.db('users').where({ name: 'demo-auditor' }).first()).disabled).toBe(false);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('runs the selftest from the pilot page and sees its signed report', async () => {
    const page = await signedIn('demo-admin');
    try {
      await page.goto(`${cw.base}/administration/pilot`);
      await page.getByRole('heading', { level: 2, name: 'Pilot and release' }).waitFor();
      await page.getByText(/^Node \S+ is in production/).waitFor();
      await page.getByText('No selftest of this node yet.').waitFor();
      await page.getByRole('button', { name: 'Run selftest' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'Selftest run; its signed report is stored.' })
        .waitFor({ timeout: 90_000 });
      // The report stored is the one shown: this world has no pilot.testNumbers, so it fails.
      const [stored] = await cw.world.db('selftest_reports').select('report');
      expect(stored.report.actor).toBe('demo-admin');
      expect(stored.report.passed).toBe(false);
      const table = page.getByRole('table', { name: /^Not passed — .*, run by demo-admin$/ });
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBe(stored.report.checks.length);
      expect(await table.getByRole('row', { name: /^test numbers fail/ }).count()).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 120_000);

  it('speaks German', async () => {
    const page = await signedIn('demo-admin');
    try {
      await page.getByRole('button', { name: 'Deutsch' }).click();
      await page.goto(`${cw.base}/administration/grants`);
      await page.getByRole('heading', { level: 1, name: 'Verwaltung' }).waitFor();
      await page
        .getByRole('navigation', { name: 'Bereiche der Verwaltung' })
        .getByRole('link', { name: 'Rechte' })
        .waitFor();
      await page.getByRole('heading', { level: 2, name: 'Rechte' }).waitFor();
    } finally {
      await page.context().close();
    }
  });
});

describe('demo-postoffice', () => {
  it('sees Administration without configuration and pilot; the server refuses it making an admin', async () => {
    const page = await signedIn('demo-postoffice');
    try {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Administration' })
        .click();
      await page.getByRole('heading', { level: 2, name: 'Users' }).waitFor();
      expect(await subNav(page).getByRole('link').allTextContents()).toEqual([
        'Users',
        'Groups',
        'Mailboxes',
        'Rights',
        'API tokens',
      ]);
      const before = (await deniedEvents('demo-postoffice')).length;
      const add = page.getByRole('form', { name: 'Add a user' });
      await add.getByLabel('Login name').fill('boss');
      await add.getByRole('checkbox', { name: 'user' }).uncheck();
      await add.getByRole('checkbox', { name: 'admin' }).check();
      await add.getByRole('button', { name: 'Add user' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Refused by the server (403)' });
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/admin/);
      expect(await cw.world.db('users').where({ name: 'boss' })).toEqual([]);
      const denied = (await deniedEvents('demo-postoffice')).slice(before);
      expect(denied).toHaveLength(1);
      expect(JSON.stringify(denied[0])).toMatch(/admin/);

      // Giving an existing user the admin role is refused the same way.
      await page.getByRole('button', { name: 'Manage alice' }).click();
      const roles = page.getByRole('group', { name: 'Roles of alice' });
      await roles.getByRole('checkbox', { name: 'admin' }).check();
      await page.getByRole('button', { name: 'Save roles' }).click();
      await expect.poll(async () => (await deniedEvents('demo-postoffice')).length).toBe(before + 2);
      await page.getByRole('alert').filter({ hasText: 'Refused by the server (403)' }).waitFor();
      const alice = await cw.world.db('users').where({ name: 'alice' }).first();
      expect((await cw.world.db('user_roles').where({ user_id: alice.id })).map((r) => r.role)).not.toContain(
        'admin',
      );

      // The configuration page by URL: the server refuses its data (config.read), audited.
      await page.goto(`${cw.base}/administration/configuration`);
      await page.getByRole('alert').filter({ hasText: 'Refused by the server (403)' }).waitFor();
      await expect.poll(async () => (await deniedEvents('demo-postoffice')).length).toBe(before + 3);
    } finally {
      await page.context().close();
    }
  });
});

describe('demo-operator', () => {
  it('gets "Not allowed" at /administration/users, and the refusal is audited', async () => {
    const page = await signedIn('demo-operator');
    try {
      const before = (await deniedEvents('demo-operator')).length;
      await page.goto(`${cw.base}/administration/users`);
      await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Administration sections' }).count()).toBe(0);
      expect(await page.getByRole('table').count()).toBe(0);
      const denied = (await deniedEvents('demo-operator')).slice(before);
      expect(denied.map((e) => e.details.view)).toEqual(['administration']);
    } finally {
      await page.context().close();
    }
  });
});
