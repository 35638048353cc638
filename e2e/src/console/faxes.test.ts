// The Faxes view (issue 18) in Chromium against the real daemon, PostgreSQL, Redis and
// capi-sim: alice sends a fax from the form (a text file she uploads) and follows it live on
// its page to done; a number the destination policy refuses is refused before anything is
// sent, with the reason; bob (in.read on postoffice, no out.send) sees no send form and the
// API refuses his submission (403, access.denied); a fax received over the simulator is read
// in bob's inbox and loses its unread mark, carol forwards and deletes it (bob may not);
// the inbox fits a 375×667 phone; the list filters by number; axe finds nothing serious on
// the list, a fax's page, the form and the inbox.
import { createPage, setPixel } from '@faxgate/fax-core';
import { grants, mailboxes, users } from '@faxgate/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../test-support/browser.js';
import { numberOf } from '../test-support/world.js';
import { type ConsoleWorld, PASSWORD, startConsoleWorld } from './console-world.js';

let cw: ConsoleWorld;
let base: string;

beforeAll(async () => {
  cw = await startConsoleWorld({ msns: ['3001'] });
  base = cw.base;
  // bob: reads the post office's received faxes, may send from nowhere
  await users.add(cw.world.db, { name: 'bob', roles: ['user'], password: PASSWORD });
  await grants.grant(cw.world.db, { user: 'bob', mailbox: 'postoffice', right: 'in.read' });
}, 180_000);

afterAll(async () => {
  await cw?.close();
});

async function as(
  user: string,
  fn: (page: Page) => Promise<void>,
  viewport?: { width: number; height: number },
) {
  const page = await cw.newPage('en-GB', viewport);
  try {
    await cw.signIn(page, user);
    await fn(page);
  } finally {
    await page.context().close();
  }
}

async function until(what: string, ok: () => Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms; // a bound, not a timing
  while (!(await ok())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${cw.daemon.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const denials = (actor: string) => cw.world.db('audit_events').where({ type: 'access.denied', actor });

describe('sending from the form', () => {
  it('alice sends a text file, lands on the fax page and follows it live to done; axe clean on form and page', async () => {
    await as('alice', async (page) => {
      await page.goto(`${base}/faxes/send`);
      await page.getByRole('heading', { level: 2, name: 'Send a fax' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel('Fax number').fill(numberOf(0));
      await page.getByRole('button', { name: 'Check number' }).click();
      await page
        .locator('#fx-number-check')
        .filter({ hasText: 'Allowed: +49305600000 will be dialled.' })
        .waitFor();
      await page.getByLabel('Documents (PDF, images, text)').setInputFiles({
        name: 'note.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Hello from the faxgate console.\nA second line.\n'),
      });
      await page.getByLabel('Subject').fill('console e2e');
      await page.getByRole('checkbox', { name: 'Add a cover page' }).check();
      await page.getByLabel('Recipient name').fill('E2E Receiver');
      await page.getByRole('button', { name: 'Send fax' }).click();
      await page.waitForURL(/\/faxes\/[0-9]+$/);
      const id = Number(new URL(page.url()).pathname.split('/').pop());
      const row = await cw.world.db('faxes').where({ id }).first();
      expect(row.subject).toBe('console e2e');
      expect(row.remote_number).toBe('+49305600000');
      await page.getByRole('heading', { level: 2, name: `Fax ${id}` }).waitFor();
      // followed live: the state on the page becomes done without a reload
      await page.locator('dd[data-state="done"]').waitFor({ timeout: 90_000 });
      expect((await cw.world.db('faxes').where({ id }).first()).state).toBe('done');
      // two pages (cover + text), shown as thumbnails; the history and the log have rows
      await page.getByRole('img', { name: 'Page 2' }).waitFor();
      await page.locator('tr[data-log="SEND"]').first().waitFor();
      expect(await page.locator('tr[data-event]').count()).toBeGreaterThan(1);
      await page.getByRole('button', { name: 'Enlarge page 1' }).click();
      await page.getByRole('figure', { name: 'Page 1, enlarged' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    });
  });

  it('refuses a number the destination policy refuses before anything is sent, with the reason', async () => {
    await as('alice', async (page) => {
      const posts: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/v1/faxes')) posts.push(r.url());
      });
      const before = await cw.world.db('faxes').count<{ n: string }[]>({ n: '*' });
      await page.goto(`${base}/faxes/send`);
      await page.getByLabel('Fax number').fill('+1 212 555 0100');
      await page.getByLabel('Documents (PDF, images, text)').setInputFiles({
        name: 'note.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('not to be sent\n'),
      });
      await page.getByRole('button', { name: 'Send fax' }).click();
      const message = page.locator('#fx-number-check[role="alert"]');
      await message.filter({ hasText: 'Refused:' }).waitFor();
      expect(await message.textContent()).toMatch(/international/);
      expect(await page.getByLabel('Fax number').getAttribute('aria-invalid')).toBe('true');
      expect(posts).toEqual([]);
      expect(await cw.world.db('faxes').count<{ n: string }[]>({ n: '*' })).toEqual(before);
      expect(new URL(page.url()).pathname).toBe('/faxes/send');
    });
  });

  it('bob (no out.send) sees no send form; the API refuses his submission (403) and records it', async () => {
    await as('bob', async (page) => {
      const subnav = page.getByRole('navigation', { name: 'Faxes pages' });
      await subnav.waitFor();
      expect(await subnav.getByRole('link').allTextContents()).toEqual(['All faxes', 'Inbox']);
      await page.goto(`${base}/faxes/send`);
      await page.getByText('Your rights do not include sending faxes.').waitFor();
      expect(await page.getByLabel('Fax number').count()).toBe(0);
      const before = (await denials('bob')).length;
      const r = await page.request.post(`${base}/api/v1/faxes`, {
        headers: { 'x-faxgate-request': '1' },
        multipart: {
          number: numberOf(0),
          document: { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('no\n') },
        },
      });
      expect(r.status()).toBe(403);
      expect(await denials('bob')).toHaveLength(before + 1);
      const check = await page.request.post(`${base}/api/v1/console/numbers/check`, {
        headers: { 'x-faxgate-request': '1' },
        data: { number: numberOf(0) },
      });
      expect(check.status()).toBe(403);
      expect(await denials('bob')).toHaveLength(before + 2);
    });
  });
});

describe('the inbox', () => {
  let received: number;

  beforeAll(async () => {
    const p = createPage(1728, 80, 'fine');
    for (let y = 10; y < 70; y++) for (let x = 200; x < 900; x++) setPixel(p, x, y, true);
    const call = await cw.world.sim.injectCall({ from: '0891234567', to: '3001', document: [p] });
    expect(call.outcome).toBe('completed');
    await until('the received fax stored', async () => {
      const row = await cw.world.db('faxes').where({ direction: 'in', state: 'received' }).first();
      if (row) received = Number(row.id);
      return row !== undefined;
    });
  }, 120_000);

  it('bob reads a received fax: unread in the inbox, opened on its page, no longer unread; axe clean', async () => {
    await as('bob', async (page) => {
      await page.goto(`${base}/faxes/inbox`);
      const card = page.locator(`li[data-fax="${received}"]`);
      await card.waitFor();
      expect(await card.getAttribute('data-unread')).toBe('yes');
      await page.getByRole('button', { name: /postoffice.*1 unread/ }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      // bob holds no in.forward or in.delete here: no forward or delete button
      expect(await card.getByRole('button', { name: 'Forward' }).count()).toBe(0);
      expect(await card.getByRole('button', { name: 'Delete' }).count()).toBe(0);
      await card.getByRole('button', { name: `Open fax ${received}` }).click();
      await page.waitForURL(`${base}/faxes/${received}`);
      await page.getByRole('img', { name: 'Page 1' }).waitFor();
      await until(
        'the opening recorded',
        async () => (await cw.world.db('fax_reads').where({ fax_id: received })).length === 1,
      );
      expect(await seriousViolations(page)).toEqual([]);
      await page
        .getByRole('navigation', { name: 'Faxes pages' })
        .getByRole('link', { name: 'Inbox' })
        .click();
      await page.locator(`li[data-fax="${received}"][data-unread="no"]`).waitFor();
      expect(await page.getByText('1 unread').count()).toBe(0);
    });
  });

  it('fits a 375×667 phone: no horizontal scrolling, targets at least 44 px high', async () => {
    await as(
      'bob',
      async (page) => {
        await page.goto(`${base}/faxes/inbox`);
        await page.locator(`li[data-fax="${received}"]`).waitFor();
        const { scrollWidth, innerWidth } = await page.evaluate(() => {
          // the page's globals (this file compiles without the DOM library)
          const g = globalThis as unknown as {
            document: { scrollingElement: { scrollWidth: number } | null };
            innerWidth: number;
          };
          return {
            scrollWidth: g.document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
            innerWidth: g.innerWidth,
          };
        });
        expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
        const open = await page.getByRole('button', { name: `Open fax ${received}` }).boundingBox();
        expect(open?.height).toBeGreaterThanOrEqual(44);
        expect(await seriousViolations(page)).toEqual([]);
      },
      { width: 375, height: 667 },
    );
  });

  it('carol (in.forward) forwards the fax to another mailbox from the inbox', async () => {
    await mailboxes.add(cw.world.db, { name: 'sales', kind: 'incoming' });
    await users.add(cw.world.db, { name: 'carol', roles: ['user'], password: PASSWORD });
    for (const right of ['in.read', 'in.forward'] as const)
      await grants.grant(cw.world.db, { user: 'carol', mailbox: 'postoffice', right });
    await as('carol', async (page) => {
      await page.goto(`${base}/faxes/inbox`);
      const card = page.locator(`li[data-fax="${received}"]`);
      await card.getByRole('button', { name: 'Forward' }).click();
      const form = page.getByRole('form', { name: `Forward fax ${received}` });
      await form.getByRole('radio', { name: 'mailbox' }).check();
      await form.getByLabel('Name, address or number').fill('sales');
      await form.getByLabel('Note (for the record)').fill('for sales');
      expect(await seriousViolations(page)).toEqual([]);
      await form.getByRole('button', { name: 'Forward now' }).click();
      await page.getByText(`Fax ${received} forwarded.`).waitFor();
      const sales = await cw.world.db('mailboxes').where({ name: 'sales' }).first();
      expect(await cw.world.db('faxes').where({ mailbox_id: sales.id, direction: 'in' })).toHaveLength(1);
      expect(await cw.world.db('audit_events').where({ type: 'fax.forward', actor: 'carol' })).toHaveLength(
        1,
      );
    });
  });

  it('alice (no right on postoffice) has no incoming mailbox and may not open the fax', async () => {
    await as('alice', async (page) => {
      await page.goto(`${base}/faxes/inbox`);
      await page.getByText('You hold no right on an incoming mailbox.').waitFor();
      const r = await page.request.post(`${base}/api/v1/console/faxes/${received}/opened`, {
        headers: { 'x-faxgate-request': '1' },
      });
      expect(r.status()).toBe(404);
    });
  });

  it('carol (in.delete) deletes the fax after confirming; bob (no in.delete) is refused 403 and recorded', async () => {
    await as('bob', async (page) => {
      const before = (await denials('bob')).length;
      const r = await page.request.delete(`${base}/api/v1/faxes/${received}`, {
        headers: { 'x-faxgate-request': '1' },
      });
      expect(r.status()).toBe(403);
      expect(await denials('bob')).toHaveLength(before + 1);
    });
    await grants.grant(cw.world.db, { user: 'carol', mailbox: 'postoffice', right: 'in.delete' });
    await as('carol', async (page) => {
      await page.goto(`${base}/faxes/inbox`);
      const card = page.locator(`li[data-fax="${received}"]`);
      await card.getByRole('button', { name: 'Delete' }).click();
      const confirm = page.getByRole('group', { name: `Delete fax ${received}` });
      expect(await seriousViolations(page)).toEqual([]);
      await confirm.getByRole('button', { name: 'Yes, delete' }).click();
      await page.getByText(`Fax ${received} deleted.`).waitFor();
      await card.waitFor({ state: 'detached' });
      expect((await cw.world.db('faxes').where({ id: received }).first()).state).toBe('deleted');
      expect(await cw.world.db('audit_events').where({ type: 'fax.delete', actor: 'carol' })).toHaveLength(1);
    });
  });
});

describe('the list', () => {
  it('filters by number on the server and passes axe', async () => {
    await as('alice', async (page) => {
      await page.getByRole('status').filter({ hasText: 'Live updates on' }).waitFor();
      await page.locator('tr[data-fax]').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel('Number contains').fill('99999');
      await page.getByRole('button', { name: 'Apply filter' }).click();
      await page.getByText('No faxes.').waitFor();
      await page.getByLabel('Number contains').fill('5600000');
      await page.getByRole('button', { name: 'Apply filter' }).click();
      await page.locator('tr[data-fax]').first().waitFor();
      for (const n of await page.locator('tr[data-fax] td:nth-child(4)').allTextContents())
        expect(n).toContain('5600000');
    });
  });
});
