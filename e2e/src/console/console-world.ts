// One console test file's world: its own Redis, a World (PostgreSQL database, capi-sim with
// a remote fax), the real daemon (main-job --daemon) serving the built console, the demo's
// roles as users, and Debian's Chromium. Each e2e file of the console starts one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test-support/browser.js';
import { type Daemon, startDaemon } from '../test-support/daemon.js';
import { type OwnRedis, startOwnRedis } from '../test-support/redis-server.js';
import { World } from '../test-support/world.js';

export const PASSWORD = 'correct horse battery';
const consoleDist = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../packages/console/dist',
);

/** The demo's roles (packages/demo/src/seed.ts); `alice` is the world's user with an outbox. */
export const ROLES = [
  { user: 'demo-admin', role: 'admin', nav: ['Faxes', 'Operations', 'Auditor', 'Administration'] },
  { user: 'demo-postoffice', role: 'postoffice', nav: ['Faxes', 'Operations', 'Administration'] },
  { user: 'demo-operator', role: 'operator', nav: ['Faxes', 'Operations'] },
  { user: 'demo-auditor', role: 'auditor', nav: ['Faxes', 'Operations', 'Auditor'] },
  { user: 'alice', role: 'user', nav: ['Faxes'] },
] as const;

export interface ConsoleWorld {
  world: World;
  daemon: Daemon;
  browser: Browser;
  /** The console's address, http://127.0.0.1:PORT */
  base: string;
  /** A fresh browser context (1366×768 unless told) and page. */
  newPage(locale?: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Signs in through the login form and waits for the main navigation. */
  signIn(page: Page, user: string): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleWorld(
  options: { faxes?: number; timeFactor?: number; msns?: string[] } = {},
): Promise<ConsoleWorld> {
  if (!fs.existsSync(path.join(consoleDist, 'index.html')))
    throw new Error(`the console is not built (${consoleDist}): run npm run build`);
  const redis: OwnRedis = await startOwnRedis();
  const world = await World.create({
    faxes: options.faxes ?? 1,
    timeFactor: options.timeFactor ?? 0.05,
    bChannels: 2,
    redisUrl: redis.url,
    redisPrefix: testRedisPrefix('faxgate-e2e'),
    transport: 'rcapi',
    queue: {},
    // numbers of controller 1 a caller can dial (received faxes land in postoffice)
    ...(options.msns ? { msns: options.msns } : {}),
  });
  await users.setPassword(world.db, 'alice', PASSWORD);
  for (const r of ROLES)
    if (r.user !== 'alice') await users.add(world.db, { name: r.user, roles: [r.role], password: PASSWORD });
  const daemon = await startDaemon({
    config: world.daemonConfig(),
    dir: world.dir,
    databaseUrl: world.testDb.url,
    redisUrl: redis.url,
    startTimeoutMs: 120_000,
  });
  const m = /API listening on (http:\/\/[0-9.:]+)/.exec(daemon.output());
  if (!m) throw new Error(`no API address in the daemon's output:\n${daemon.output()}`);
  const base = m[1];
  const browser = await launchChromium();
  return {
    world,
    daemon,
    browser,
    base,
    async newPage(locale = 'en-GB', viewport = { width: 1366, height: 768 }) {
      const context = await browser.newContext({ locale, viewport });
      return context.newPage();
    },
    async signIn(page, user) {
      await page.goto(`${base}/`);
      await page.getByLabel('User name').fill(user);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    },
    async close() {
      await browser.close();
      await daemon.stop();
      await world.close();
      await redis.stop();
    },
  };
}
