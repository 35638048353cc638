// faxgate lockdown report against capi-sim (rcapi) and a real PostgreSQL: evidence recorded
// in the audit trail, a profile change flagged, an extra listening socket flagged (exit 1).
import net from 'node:net';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, type CliFixture, cliFixture } from '../test-support/cli-fixture.js';

let f: CliFixture;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
  f = await cliFixture(
    `logging:\n  level: warn\napi:\n  port: 0\nlines:\n  transport: rcapi\n  host: 127.0.0.1\n  port: ${sim.port}\n`,
  );
  expect((await f.run(['db', 'migrate'])).code).toBe(0);
});
afterAll(async () => {
  await f?.close();
  await sim?.close();
});

describe('faxgate lockdown report', () => {
  it('records the controller evidence, then flags and audits a profile change', async () => {
    const first = await f.run(['lockdown', 'report', '--json']);
    const r1 = JSON.parse(first.stdout);
    expect(r1.controllers).toHaveLength(2);
    expect(r1.controllers[0]).toMatchObject({ faxCapable: true, used: { b1: ['T.30 fax G3'] } });
    expect(r1.mode).toBe('send-receive');
    let events = await auditEvents(f.db);
    expect(events.filter((e) => e.type === 'lockdown.evidence')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'lockdown.report')).toHaveLength(1);

    sim.setProfile(2, { globalOptions: r1.controllers[1].globalOptions | (1 << 3) }); // DTMF appears
    const second = await f.run(['lockdown', 'report']);
    expect(second.stdout).toMatch(/controller 2 globalOptions changed/);
    expect(second.stdout).toMatch(/DTMF/);
    events = await auditEvents(f.db);
    const changed = events.filter((e) => e.type === 'lockdown.profile_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0].details).toMatchObject({ changes: [{ controller: 2, field: 'globalOptions' }] });
  });

  it('flags a listening socket that is not a faxgate port and exits 1', async () => {
    const extra = net.createServer();
    await new Promise<void>((resolve) => extra.listen(0, '127.0.0.1', resolve));
    const port = (extra.address() as net.AddressInfo).port;
    try {
      const r = await f.run(['lockdown', 'report']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`BAD tcp {2}127\\.0\\.0\\.1:${port}\\b`));
      expect(r.stdout).toContain(`listening socket tcp 127.0.0.1:${port}`);
      expect(r.stderr).toMatch(/lockdown report: \d+ violation/);
    } finally {
      await new Promise((resolve) => extra.close(resolve));
    }
    const after = await f.run(['lockdown', 'report', '--json']);
    const sockets = JSON.parse(after.stdout).sockets as Array<{ port: number }>;
    expect(sockets.some((s) => s.port === port)).toBe(false);
  });

  it('reports a line it cannot reach as a violation, naming it', async () => {
    const down = await cliFixture('logging:\n  level: warn\nlines:\n  host: 127.0.0.1\n  port: 1\n');
    try {
      expect((await down.run(['db', 'migrate'])).code).toBe(0);
      const r = await down.run(['lockdown', 'report', '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).violations[0]).toMatch(
        /controller evidence could not be read: rcapi 127\.0\.0\.1:1/,
      );
    } finally {
      await down.close();
    }
  });
});
