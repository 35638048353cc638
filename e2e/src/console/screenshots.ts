// `npm run docs:screenshots`: runs the demo (npm start's gateway, simulator, a fax sent and
// one received), signs in as each demo role in Debian's Chromium and writes the console's main
// views to docs/console/*.png, which the README shows. Run it again after changing a view.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test-support/browser.js';
import { type Demo, ROOT, startDemo } from './demo-run.js';

const OUT = path.join(ROOT, 'docs/console');
const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 375, height: 667 };

/** One picture: who, where, how big; `user` null = signed out. Views add their pages here. */
export interface Shot {
  file: string;
  user: string | null;
  path: string;
  locale?: string;
  viewport?: { width: number; height: number };
  /** Text to wait for before the picture (besides the h1). */
  waitFor?: string;
}

export const SHOTS: Shot[] = [
  { file: 'login-de.png', user: null, path: '/', locale: 'de-DE' },
  { file: 'faxes.png', user: 'demo-user', path: '/faxes' },
  { file: 'inbox-phone.png', user: 'demo-user', path: '/faxes/inbox', viewport: PHONE },
  { file: 'fax-send.png', user: 'demo-user', path: '/faxes/send', waitFor: 'Check number' },
  { file: 'operations.png', user: 'demo-operator', path: '/operations' },
  { file: 'auditor.png', user: 'demo-auditor', path: '/auditor', waitFor: 'Chain head' },
  {
    file: 'auditor-reviews.png',
    user: 'demo-auditor',
    path: '/auditor/reviews',
    waitFor: 'Mark a period as reviewed',
  },
  {
    file: 'auditor-config.png',
    user: 'demo-auditor',
    path: '/auditor/config',
    waitFor: 'Configuration versions, newest first',
  },
  { file: 'administration.png', user: 'demo-admin', path: '/administration' },
  {
    file: 'administration-grants.png',
    user: 'demo-admin',
    path: '/administration/grants',
    waitFor: 'Give right',
  },
  {
    file: 'administration-pilot.png',
    user: 'demo-admin',
    path: '/administration/pilot',
    waitFor: 'Run selftest',
  },
];

async function shoot(browser: Browser, demo: Demo, shot: Shot): Promise<void> {
  const context = await browser.newContext({
    locale: shot.locale ?? 'en-GB',
    viewport: shot.viewport ?? LAPTOP,
  });
  try {
    const page = await context.newPage();
    await page.goto(`${demo.address}/`);
    if (shot.user) {
      const password = demo.passwords.get(shot.user);
      if (!password) throw new Error(`no password for ${shot.user} in the demo's output`);
      await page.getByLabel('User name').fill(shot.user);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      await page.goto(demo.address + shot.path);
    }
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    if (shot.waitFor) await page.getByText(shot.waitFor).first().waitFor();
    await page.waitForTimeout(1500); // live data and images settle
    await page.screenshot({ path: path.join(OUT, shot.file), fullPage: false });
    console.log(`docs/console/${shot.file}: ${shot.user ?? 'signed out'} at ${shot.path}`);
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const demo = await startDemo();
  const browser = await launchChromium();
  try {
    for (const shot of SHOTS) await shoot(browser, demo, shot);
  } finally {
    await browser.close();
    demo.child.kill('SIGINT');
  }
}

await main();
