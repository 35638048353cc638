/**
 * The build script's failure path: without a compiler the build prints why, exits 0 (the rest
 * of faxgate still builds and runs), and the native transport then says "native addon not
 * built: <reason>". Builds into a temporary directory, never over the real addon.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { capiHome, NativeChild } from '../test-support/native-child-client.js';

const buildScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native/build.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-capi-build-'));

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('exits 0 without a compiler and the transport reports why the addon is missing', async () => {
  const out = path.join(tmp, 'out');
  const r = spawnSync(process.execPath, [buildScript, '--force'], {
    env: { ...process.env, CC: '/nonexistent/cc', CXX: '/nonexistent/c++', FAXGATE_CAPI_BUILD_DIR: out },
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/native addon NOT built/);
  const status = JSON.parse(fs.readFileSync(path.join(out, 'native-status.json'), 'utf8'));
  expect(status).toMatchObject({ ok: false, reason: expect.stringContaining('/nonexistent/') });
  expect(fs.existsSync(path.join(out, 'capi20.node'))).toBe(false);

  const home = capiHome(1);
  const c = new NativeChild({ home, env: { FAXGATE_CAPI_ADDON: path.join(out, 'capi20.node') } });
  try {
    await expect(c.call('open')).rejects.toThrow(
      /native addon not built: node-gyp failed: .*\/nonexistent\//,
    );
  } finally {
    expect(await c.end()).toEqual({ code: 0, signal: null });
    fs.rmSync(home, { recursive: true, force: true });
  }
});
