// Issue 18's journey across two roles at once, in Chromium against the real daemon,
// PostgreSQL, Redis and capi-sim: alice sends a fax from the send form while demo-operator
// watches the Operations dashboard, which follows that fax live — its B channel sending it,
// then the queue empty and the sent count up — without a reload and without polling.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberOf } from '../test-support/world.js';
import { type ConsoleWorld, startConsoleWorld } from './console-world.js';

let cw: ConsoleWorld;

beforeAll(async () => {
  cw = await startConsoleWorld();
}, 180_000);

afterAll(async () => {
  await cw?.close();
});

async function signedIn(user: string, path: string): Promise<Page> {
  const page = await cw.newPage();
  await cw.signIn(page, user);
  await page.goto(cw.base + path);
  return page;
}

describe('a fax sent from the form, watched on the dashboard', () => {
  it('is followed live on the Operations dashboard until done', async () => {
    const dashboard = await signedIn('demo-operator', '/operations');
    const form = await signedIn('alice', '/faxes/send');
    const listings: string[] = [];
    dashboard.on('request', (req) => {
      if (req.url().includes('/api/v1/')) listings.push(req.url());
    });
    try {
      await dashboard.getByRole('status').filter({ hasText: 'Live: changes appear' }).waitFor();
      await dashboard.getByText('Last 24 h: 0 sent, 0 failed, 0 received.').waitFor();
      // What the channel list shows while the call runs, recorded in the page as it changes
      // (the call may be over before a test could look).
      await dashboard.evaluate(`
        window.seen = [];
        new MutationObserver(() => {
          for (const li of document.querySelectorAll('[data-channel-state="sending"]'))
            window.seen.push(li.getAttribute('data-fax'));
        }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      `);

      await form.getByRole('heading', { level: 2, name: 'Send a fax' }).waitFor();
      await form.getByLabel('Fax number').fill(numberOf(0));
      await form.getByLabel('Documents (PDF, images, text)').setInputFiles({
        name: 'journey.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Sent from the console, watched on the dashboard.\n'),
      });
      // Straight from the number to "Send fax", as a user does: the check runs on the way.
      await form.getByRole('button', { name: 'Send fax' }).click();
      await form.waitForURL(/\/faxes\/[0-9]+$/).catch(async (e) => {
        throw new Error(`${e}: ${((await form.locator('main').textContent()) ?? '').slice(0, 2000)}`);
      });
      const id = Number(new URL(form.url()).pathname.split('/').pop());
      expect(Number.isInteger(id) && id > 0).toBe(true);

      await dashboard.getByText('Last 24 h: 1 sent, 0 failed, 0 received.').waitFor({ timeout: 90_000 });
      await dashboard.locator('[data-queue-empty]').waitFor();
      expect((await cw.world.db('faxes').where({ id }).first()).state).toBe('done');
      const seen = (await dashboard.evaluate('window.seen')) as string[];
      expect(seen).toContain(String(id));
      // Nothing asked on a timer: the dashboard read its data again only for the events of
      // this one fax (a handful of state changes), not once a second for a minute.
      const reads = listings.filter((u) => u.includes('/console/operations') && !u.includes('/events'));
      expect(reads.length).toBeLessThan(15);
    } finally {
      await form.context().close();
      await dashboard.context().close();
    }
  }, 150_000);
});
