// The listener spoken to directly: received faxes (faxstat -r, RETR), the bounds, and hostile
// input. The real clients' flows are in clients.test.ts.
import { faxes, faxPages } from '@faxgate/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, testTiff } from '../test-support/api-fixture.js';
import { runClient } from '../testing/hylafax-clients.js';
import { useHylafaxFixture } from './test-support/fixture.js';
import { RawClient } from './test-support/raw-client.js';

const f = useHylafaxFixture({ hylafax: { enabled: true, port: 0, commandsPerMinute: 200 } });
let received = 0;

beforeAll(async () => {
  const fax = await faxes.insert(f.api.db, {
    direction: 'in',
    state: 'received',
    mailboxId: f.api.salesIn,
    remoteNumber: '+49891234567',
    remoteStationId: 'REMOTE TSI',
    pagesTotal: 2,
    pagesDone: 2,
    completedAt: new Date(),
  });
  await faxPages.add(f.api.db, fax.id, { pageNo: 1, tiff: testTiff(1) });
  await faxPages.add(f.api.db, fax.id, { pageNo: 2, tiff: testTiff(1, 400) });
  received = fax.id;
});

const name = () => `fax${String(received).padStart(8, '0')}.tif`;

describe('the receive queue', () => {
  it('faxstat -r lists a received fax to who may read its mailbox, not to others', async () => {
    const bob = await runClient('faxstat', ['-r'], { port: f.port, user: 'bob', password: PASSWORD });
    expect(bob.stdout).toMatch(/Protect Page\s+Owner\s+Sender\/TSI\s+Recvd@ Filename/);
    expect(bob.stdout).toMatch(
      new RegExp(`-rw----\\s+2\\s+sales-in\\s+REMOTE TSI \\d{2}[A-Z][a-z]{2}\\d{4} ${name()}`),
    );
    const alice = await runClient('faxstat', ['-r'], { port: f.port, user: 'alice', password: PASSWORD });
    expect(alice.stdout).not.toContain(name());
  });

  it('RETR recvq/<name> sends the fax as a TIFF, audited as a read; others get 550', async () => {
    const bob = await RawClient.connect(f.port);
    await bob.login('bob', PASSWORD);
    expect(await bob.cmd('TYPE I')).toMatch(/^200/);
    const list = await bob.transfer('NLST recvq');
    expect(list.data.toString()).toContain(name());
    const got = await bob.transfer(`RETR recvq/${name()}`);
    expect(got.last).toMatch(/^226/);
    expect(got.data.subarray(0, 4).toString('latin1')).toBe('II*\0');
    bob.close();
    const reads = await f.api.db('audit_events').where({ type: 'fax.read', actor: 'bob' });
    expect(reads.some((e) => e.details.via === 'hylafax' && e.details.faxId === received)).toBe(true);

    const alice = await RawClient.connect(f.port);
    await alice.login('alice', PASSWORD);
    expect((await alice.transfer(`RETR recvq/${name()}`)).first).toMatch(/^550/);
    expect((await alice.transfer('RETR /etc/passwd')).first).toMatch(/^550/);
    alice.close();
  });
});

describe('bounds and hostile input', () => {
  it('asks for a login before anything else and refuses a data connection to another host', async () => {
    const c = await RawClient.connect(f.port);
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.cmd('LIST sendq')).toMatch(/^530 /);
    expect(await c.cmd('JNEW')).toMatch(/^530 /);
    await c.cmd('USER alice');
    expect(await c.cmd(`PASS ${PASSWORD}`)).toMatch(/^230 /);
    expect(await c.cmd('PORT 10,0,0,1,4,1')).toMatch(/^504 .*address of the control connection/);
    expect(await c.cmd('EPRT |1|127.0.0.1|22|')).toMatch(/^504 .*below 1024/);
    expect(await c.cmd('JPARM DIALSTRING 1')).toMatch(/^503 /);
    expect(await c.cmd('STOT')).toMatch(/^503 /);
    expect(await c.cmd('SITE EXEC rm')).toMatch(/^502 /);
    c.close();
  });

  it('closes a connection that sends an over-long line or floods commands', async () => {
    const long = await RawClient.connect(f.port);
    await long.reply();
    long.socket.write(`USER ${'x'.repeat(5000)}\r\n`);
    expect(await long.reply()).toMatch(/^500 .*too long/);
    expect(await long.reply()).toBeNull();

    const flood = await RawClient.connect(f.port);
    await flood.reply();
    flood.socket.write('NOOP\r\n'.repeat(300));
    let last: string | null = '';
    for (let i = 0; i < 301 && last !== null; i++) {
      const r = await flood.reply();
      if (r === null) break;
      last = r;
    }
    expect(last).toMatch(/^421 /);
  });

  it('survives random lines, logged in or not, and still serves the next client', async () => {
    // A seeded generator: the same lines every run, so a failure can be replayed.
    let seed = 19;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const verbs = [
      'USER',
      'PASS',
      'JPARM',
      'JNEW',
      'JSUBM',
      'JOB',
      'JKILL',
      'LIST',
      'RETR',
      'PORT',
      'EPRT',
      'FORM',
      'MODE',
      'TZONE',
      'JOBFMT',
      'XYZ',
    ];
    const junk = () =>
      Array.from({ length: Math.floor(rnd() * 60) }, () => String.fromCharCode(Math.floor(rnd() * 256)))
        .join('')
        .replace(/[\r\n]/g, '');
    for (const login of [false, true]) {
      const c = await RawClient.connect(f.port);
      if (login) await c.login('alice', PASSWORD);
      else await c.reply();
      for (let i = 0; i < 60; i++) {
        const verb = verbs[Math.floor(rnd() * verbs.length)];
        const r = await c.cmd(rnd() < 0.3 ? junk() : `${verb} ${junk()}`);
        if (r === null) break;
        expect(r).toMatch(/^[1-5]\d\d[ -]/);
      }
      c.close();
    }
    const next = await RawClient.connect(f.port);
    await next.login('alice', PASSWORD);
    expect(await next.cmd('NOOP')).toMatch(/^200 /);
    next.close();
    expect(f.errors).toEqual([]);
  });
});
