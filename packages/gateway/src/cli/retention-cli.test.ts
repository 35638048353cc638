// faxgate retention run / legal-hold / archive verify: the real CLI (processes of their own)
// with a user's token against the gateway API and a real archive directory. A role without
// retention.manage is refused (exit 2) and the refusal is an access.denied event; archive
// verify exits 1 naming a flipped byte.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mailboxes, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';
import { finishedFax, payloadState } from '../test-support/retention-faxes.js';

vi.setConfig({ testTimeout: 240_000 });
let f: CliApiFixture;
let box: number;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-ret-cli-'));
const archiveDir = path.join(root, 'archive');

beforeAll(async () => {
  f = await cliApiFixture(`logging:\n  level: warn\narchive:\n  dir: ${archiveDir}\n`, { queue: false });
  await users.add(f.db, { name: 'paula', roles: ['postoffice'] });
  await users.add(f.db, { name: 'otto', roles: ['operator'] });
  box = (await mailboxes.add(f.db, { name: 'sales-out', kind: 'outgoing' })).id;
}, 120_000);
afterAll(async () => {
  await f?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('faxgate retention run', () => {
  it('refuses an operator (exit 2), on record, and changes nothing', async () => {
    const fax = await finishedFax(f.db, { direction: 'out', state: 'done', mailboxId: box, daysAgo: 40 });
    const before = (await auditEvents(f.db)).length;
    for (const args of [
      ['retention', 'run', '--dry-run'],
      ['retention', 'run'],
      ['legal-hold', 'set', '--fax', String(fax.id), '--reason', 'x'],
      ['legal-hold', 'list'],
    ]) {
      const r = await f.as('otto', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^faxgate: otto may not /);
    }
    const after = (await auditEvents(f.db)).slice(before);
    expect(after.map((e) => [e.type, e.actor])).toEqual(Array(4).fill(['access.denied', 'otto']));
    expect(await payloadState(f.db, [fax.id])).toEqual({ [fax.id]: 'done/2' });
  });

  it('prints the dry run and the run summary to the post office; held faxes stay', async () => {
    const due = await finishedFax(f.db, { direction: 'out', state: 'done', mailboxId: box, daysAgo: 50 });
    const held = await finishedFax(f.db, { direction: 'out', state: 'done', mailboxId: box, daysAgo: 50 });
    const set = await f.as('paula', ['legal-hold', 'set', '--fax', String(held.id), '--reason', 'case 9']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(new RegExp(`^hold \\d+: fax ${held.id} — case 9 \\(set by paula`));

    const dry = await f.as('paula', ['retention', 'run', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run at \S+: 2 due, 1 held\n/);
    expect(dry.stdout).toContain(`  fax ${due.id} out sales-out days:30 finished`);
    expect(await payloadState(f.db, [due.id, held.id])).toEqual({ [due.id]: 'done/2', [held.id]: 'done/2' });

    const real = await f.as('paula', ['retention', 'run']);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/^run at \S+: 2 deleted, 2 archived, 4 pages, 1 held\n/);
    expect(real.stdout).toContain(`  fax ${due.id} out sales-out days:30 finished`);
    expect(real.stdout).toContain(`archived as fax-${due.id}`);
    expect(await payloadState(f.db, [due.id, held.id])).toEqual({
      [due.id]: 'deleted/0',
      [held.id]: 'done/2',
    });
  });
});

describe('faxgate archive verify', () => {
  it('exit 0 on an intact archive, exit 1 naming a flipped byte', async () => {
    const ok = await f.run(['archive', 'verify']);
    expect(ok.stderr).toBe('');
    expect(ok).toMatchObject({ code: 0, stdout: '2 of 2 packages intact\n' });

    const pkg = fs.readdirSync(archiveDir).sort()[0];
    const tif = path.join(archiveDir, pkg, 'fax.tif');
    const bytes = fs.readFileSync(tif);
    bytes[100] ^= 0x80;
    fs.writeFileSync(tif, bytes);
    const bad = await f.run(['archive', 'verify', archiveDir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      new RegExp(`^${path.join(archiveDir, pkg)}: fax.tif: SHA-256 [0-9a-f]{64} differs`),
    );
    expect(bad.stdout).toContain('1 of 2 packages intact\n');
    expect(bad.stderr).toBe(`faxgate: archive ${archiveDir}: 1 packages do not verify\n`);
  });
});
