// The CLI authenticates (issue 13, part 2): it is a client of the gateway API and acts only
// with a token its user obtained with `faxgate login` (or $FAXGATE_TOKEN). Without one,
// every user-level command is refused with a clear message and changes nothing; --as is
// gone; the token file is private (0600 in a 0700 directory) and a readable one is refused.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture, snapshot } from '../test-support/cli-fixture.js';
import { runFaxgate } from '../testing/run-cli.js';

const PASSWORD = 'correct horse battery';

// Every test runs the CLI as processes of their own, several times: slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });
let f: CliApiFixture;

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

beforeAll(async () => {
  f = await cliApiFixture('logging:\n  level: warn\n', { queue: false });
  await users.add(f.db, { name: 'alice', roles: ['user'], password: PASSWORD });
  await users.add(f.db, { name: 'olga', roles: ['operator'], password: PASSWORD });
  await users.add(f.db, { name: 'ada', roles: ['admin'], password: PASSWORD });
}, 60_000);
afterAll(async () => {
  await f?.close();
});

/** Every user-level command, each with arguments that would change something if it ran. */
const USER_COMMANDS: string[][] = [
  ['send', '-d', '5551234', '/etc/hostname'],
  ['status'],
  ['status', '--all'],
  ['stop', '1'],
  ['modify', '1', '-P', '10'],
  ['rm', '1'],
  ['resubmit', '1'],
  ['settle', '1', 'sent'],
  ['inbox'],
  ['user', 'add', 'mallory', '--role', 'admin', '--password-stdin'],
  ['user', 'passwd', 'ada', '--password-stdin'],
  ['user', 'disable', 'ada'],
  ['group', 'add', 'crew'],
  ['group', 'member', 'crew', 'alice'],
  ['mailbox', 'add', 'mallory-in', '--kind', 'incoming'],
  ['grant', 'in.read', '--mailbox', 'postoffice', '--user', 'alice'],
  ['revoke', 'in.read', '--mailbox', 'postoffice', '--user', 'alice'],
  ['audit', 'export'],
  ['log', 'export'],
  ['whoami'],
];

describe('without a token', () => {
  it('refuses every user-level command with a clear message, exit 2, and changes nothing', async () => {
    const before = await snapshot(f.db);
    // Four at a time: each is a process of its own.
    const results: Array<{ args: string[]; code: number; stdout: string; stderr: string }> = [];
    for (let i = 0; i < USER_COMMANDS.length; i += 4) {
      const batch = USER_COMMANDS.slice(i, i + 4);
      results.push(
        ...(await Promise.all(
          batch.map(async (args) => ({ args, ...(await f.anon(args, 'mallory-password-1\n')) })),
        )),
      );
    }
    const message = `faxgate: not logged in to ${f.base} (run faxgate login, or set $FAXGATE_TOKEN)\n`;
    for (const r of results) {
      expect({ args: r.args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        args: r.args,
        code: 2,
        stderr: message,
        stdout: '',
      });
    }
    expect(await snapshot(f.db)).toEqual(before);
    expect(fs.existsSync(f.tokenFile)).toBe(false);
  }, 300_000);

  it('has no --as any more: an unknown option, exit 2, nothing done', async () => {
    const before = await snapshot(f.db);
    const r = await f.anon(['--as', 'ada', 'user', 'add', 'mallory', '--role', 'admin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--as'/);
    expect(await snapshot(f.db)).toEqual(before);
  });

  it("the issue's attack: an unprivileged OS user gets nothing (runuser -u nobody when root)", async () => {
    const before = await snapshot(f.db);
    const canRunuser = process.getuid?.() === 0 && fs.existsSync('/usr/sbin/runuser');
    // nobody's HOME holds no token; the gateway's API is reachable, the database is not needed.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-nobody-'));
    fs.chmodSync(home, 0o777);
    const env = {
      ...f.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      TSX_TSCONFIG_PATH: undefined,
    };
    const attack = ['--as', 'ada', 'user', 'add', 'mallory', '--role', 'admin', '--password-stdin'];
    const plain = ['user', 'add', 'mallory', '--role', 'admin', '--password-stdin'];
    const wrap = canRunuser ? ['/usr/sbin/runuser', '-u', 'nobody', '--'] : [];
    const withAs = await runFaxgate(attack, env, 'mallory-password-1\n', wrap);
    expect(withAs.code).toBe(2);
    expect(withAs.stderr).toMatch(/unknown option '--as'/);
    const without = await runFaxgate(plain, env, 'mallory-password-1\n', wrap);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/not logged in to .* \(run faxgate login/);
    expect(await users.find(f.db, 'mallory')).toBeNull();
    expect(await snapshot(f.db)).toEqual(before);
    fs.rmSync(home, { recursive: true, force: true });
  }, 60_000);
});

describe('faxgate login, whoami, logout', () => {
  it('keeps the session token in a 0600 file in a 0700 directory; whoami uses it; logout ends it', async () => {
    const login = await f.anon(['login', '--user', 'alice'], `${PASSWORD}\n`);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(new RegExp(`^logged in to ${f.base} as alice until `));
    expect(fs.statSync(f.tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(f.tokenFile)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(fs.readFileSync(f.tokenFile, 'utf8'));
    expect(Object.keys(stored)).toEqual([f.base]);
    expect(stored[f.base].token).toMatch(/^fgs_/);

    const who = await f.anon(['whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ api: f.base, user: { name: 'alice', roles: ['user'] } });
    const login1 = (await auditEvents(f.db)).filter((e) => e.type === 'auth.login' && e.actor === 'alice');
    expect(login1).toHaveLength(1);

    // The token belongs to this API URL: another gateway's URL finds no token.
    const elsewhere = `http://127.0.0.1:${await closedPort()}`;
    const other = await f.anon(['whoami'], undefined, { FAXGATE_API_URL: elsewhere });
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      `faxgate: not logged in to ${elsewhere} (run faxgate login, or set $FAXGATE_TOKEN)\n`,
    );

    const out = await f.anon(['logout']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`logged out of ${f.base}\n`);
    expect(fs.existsSync(f.tokenFile)).toBe(false);
    expect(
      (await auditEvents(f.db)).filter((e) => e.type === 'auth.logout' && e.actor === 'alice'),
    ).toHaveLength(1);
    // The session is revoked at the gateway: the old token is refused there too.
    const reused = await f.anon(['whoami'], undefined, { FAXGATE_TOKEN: stored[f.base].token });
    expect(reused.code).toBe(2);
    expect(reused.stderr).toMatch(/the token in \$FAXGATE_TOKEN is not accepted/);
  }, 60_000);

  it('refuses a token file others can read, without using it', async () => {
    expect((await f.anon(['login', '--user', 'alice'], `${PASSWORD}\n`)).code).toBe(0);
    fs.chmodSync(f.tokenFile, 0o644);
    const before = (await auditEvents(f.db)).length;
    const r = await f.anon(['whoami']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing the token file .*token: it is readable by others \(mode 644\)/);
    expect(r.stdout).toBe('');
    // nothing reached the gateway (no request, so no event and no use of the session)
    expect((await auditEvents(f.db)).length).toBe(before);
    const out = await f.anon(['logout']); // removes the refused file without reading it
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^removed the refused token file /);
    expect(fs.existsSync(f.tokenFile)).toBe(false);
  }, 60_000);

  it('a wrong password: exit 2 with the gateway message, no token file, auth.failed on record', async () => {
    const r = await f.anon(['login', '--user', 'alice'], 'wrong password\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faxgate: user name or password is wrong, or the account is disabled\n');
    expect(fs.existsSync(f.tokenFile)).toBe(false);
    const failed = (await auditEvents(f.db)).filter((e) => e.type === 'auth.failed' && e.actor === 'alice');
    expect(failed.length).toBeGreaterThan(0);
  });

  it('--token-stdin keeps a verified API token; an unknown token is refused', async () => {
    const token = await f.token('olga');
    const r = await f.anon(['login', '--token-stdin'], `${token}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^logged in to .* as olga \(API token/);
    expect(JSON.parse((await f.anon(['whoami', '--json'])).stdout).user.name).toBe('olga');
    expect((await f.anon(['logout'])).code).toBe(0);
    const bad = await f.anon(['login', '--token-stdin'], 'fgt_not-a-real-token-at-all\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the token is not accepted by/);
    expect(fs.existsSync(f.tokenFile)).toBe(false);
  }, 60_000);

  it('says so when the gateway is not running (exit 1)', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const r = await f.anon(['login', '--user', 'alice'], `${PASSWORD}\n`, { FAXGATE_API_URL: down });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`faxgate: the gateway at ${down} is not running (connection refused)\n`);
    const s = await f.anon(['status'], undefined, { FAXGATE_API_URL: down, FAXGATE_TOKEN: 'fgt_x' });
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/is not running/);
  });

  it('takes the API address from the configuration when neither --api nor $FAXGATE_API_URL is given', async () => {
    const port = new URL(f.base).port;
    const cfg = path.join(f.dir, 'api-only.yaml');
    fs.writeFileSync(cfg, `logging: { level: warn }\napi: { host: 0.0.0.0, port: ${port} }\n`);
    const r = await f.as('alice', ['whoami'], undefined, { FAXGATE_API_URL: undefined, FAXGATE_CONFIG: cfg });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`alice at http://127.0.0.1:${port} (roles: user)\n`);
    const flag = await f.as('alice', ['--api', 'ftp://x', 'whoami']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--api: expected an http:\/\/ or https:\/\/ URL/);
  });
});

describe("the rights are the token user's", () => {
  it("changes one's own password only with the current one", async () => {
    const wrong = await f.as(
      'alice',
      ['user', 'passwd', 'alice', '--password-stdin'],
      'not the password\nnew secret 12345\n',
    );
    expect(wrong.code).toBe(2);
    expect((await users.verifyPassword(f.db, 'alice', PASSWORD)).ok).toBe(true);
    const one = await f.as('alice', ['user', 'passwd', 'alice', '--password-stdin'], 'new secret 12345\n');
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/give the current and the new password on two lines/);
    const ok = await f.as(
      'alice',
      ['user', 'passwd', 'alice', '--password-stdin'],
      `${PASSWORD}\nnew secret 12345\n`,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect((await users.verifyPassword(f.db, 'alice', 'new secret 12345')).ok).toBe(true);
    await users.setPassword(f.db, (await users.get(f.db, 'alice')).id, PASSWORD);
  });

  it("an operator's token cannot add users: 403 → exit 2 and access.denied naming the operator", async () => {
    const before = await snapshot(f.db);
    const r = await f.as('olga', ['user', 'add', 'mallory', '--role', 'admin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faxgate: olga may not /);
    expect(await users.find(f.db, 'mallory')).toBeNull();
    const denied = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied' && e.actor === 'olga');
    expect(denied).toHaveLength(1);
    const after = await snapshot(f.db);
    // only the audit trail grew (by the refusal)
    for (const t of Object.keys(before)) if (!t.startsWith('audit')) expect(after[t]).toBe(before[t]);
  });

  it("an admin's token adds a user, and the audit event names the admin", async () => {
    const r = await f.as('ada', ['user', 'add', 'carol', '--display-name', 'Carol']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('user carol created (roles: user)\n');
    const ev = (await auditEvents(f.db)).filter(
      (e) => e.type === 'admin.user_add' && e.subject === 'user:carol',
    );
    expect(ev).toHaveLength(1);
    expect(ev[0].actor).toBe('ada');
  });
});
