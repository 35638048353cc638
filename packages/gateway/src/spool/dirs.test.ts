// paths.spool and paths.tmp: created 0700, set to 0700 when wider, refused when they are
// not a real directory of the service user.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '../gateway.js';
import { prepareDir, prepareSpoolDirs } from './dirs.js';
import { SpoolDirError } from './errors.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-spool-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const me = process.geteuid?.() ?? 0;
const modeOf = (d: string) => fs.statSync(d).mode & 0o777;

describe('spool and tmp directories', () => {
  it('creates both, nested, with mode 0700 for the service user', async () => {
    const spool = path.join(root, 'a', 'spool');
    const tmp = path.join(root, 'a', 'tmp');
    const r = await prepareSpoolDirs({ spool, tmp });
    expect(r).toEqual([
      { key: 'paths.spool', dir: spool, created: true, modeWas: null },
      { key: 'paths.tmp', dir: tmp, created: true, modeWas: null },
    ]);
    expect(modeOf(spool)).toBe(0o700);
    expect(modeOf(tmp)).toBe(0o700);
    expect(fs.statSync(spool).uid).toBe(me);
    // Again: nothing to do.
    expect((await prepareSpoolDirs({ spool, tmp }))[0]).toMatchObject({ created: false, modeWas: null });
  });

  it.each([0o755, 0o777, 0o1777])('sets an existing directory of mode %o to 0700', async (mode) => {
    const dir = path.join(root, `wide-${mode.toString(8)}`);
    fs.mkdirSync(dir);
    fs.chmodSync(dir, mode);
    const r = await prepareDir('paths.tmp', dir);
    expect(r.modeWas).toBe(mode & 0o777);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('refuses a directory of another user, naming the key, the owner and the fix', async () => {
    const dir = path.join(root, 'theirs');
    fs.mkdirSync(dir, { mode: 0o777 });
    const other = me + 1;
    const err = await prepareDir('paths.spool', dir, other).catch((e) => e);
    expect(err).toBeInstanceOf(SpoolDirError);
    expect(err.message).toBe(
      `paths.spool ${dir}: belongs to uid ${me}, not to the service user (uid ${other}); chown it to the service user (mode 0700)`,
    );
    expect(modeOf(dir)).toBe(0o777 & ~process.umask()); // untouched
  });

  it('refuses a symbolic link, a file and a relative path', async () => {
    const target = path.join(root, 'target');
    fs.mkdirSync(target);
    const link = path.join(root, 'link');
    fs.symlinkSync(target, link);
    await expect(prepareDir('paths.spool', link)).rejects.toThrow(/is a symbolic link/);
    const file = path.join(root, 'file');
    fs.writeFileSync(file, '');
    await expect(prepareDir('paths.tmp', file)).rejects.toThrow(/paths\.tmp .*: is not a directory/);
    await expect(prepareDir('paths.tmp', 'relative/tmp')).rejects.toThrow(/must be an absolute path/);
  });

  it('refuses a directory it cannot create, with the reason', async () => {
    const file = path.join(root, 'blocker');
    fs.writeFileSync(file, '');
    await expect(prepareDir('paths.spool', path.join(file, 'spool'))).rejects.toThrow(
      /paths\.spool .*: cannot create it \(ENOTDIR\)/,
    );
  });

  it('the daemon does not start when its spool is unusable, before it touches the database', async () => {
    const file = path.join(root, 'not-a-dir');
    fs.writeFileSync(file, '');
    const config = path.join(root, 'faxgate.yaml');
    fs.writeFileSync(
      config,
      `database:\n  url: postgres://nobody@127.0.0.1:1/none\npaths:\n  spool: ${file}\n  tmp: ${root}/tmp\n`,
    );
    const err = await startGateway({ path: config, env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(SpoolDirError);
    expect(err.message).toBe(`paths.spool ${file}: is not a directory`);
  });
});
