#!/usr/bin/env node
// Builds the libcapi20 addon offline: node-gyp (npm's bundled copy, or a local one) against
// the headers of the running Node (<prefix>/include/node), so nothing is downloaded.
// A failed build is not fatal: the rest of faxgate works without the native transport, which
// then reports "native addon not built: <reason>" (the reason is kept in build/native-status.json).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.dirname(nativeDir);
// Overrides for tests of the failure path: FAXGATE_CAPI_BUILD_DIR, FAXGATE_NODE_DIR.
const outDir = process.env.FAXGATE_CAPI_BUILD_DIR ?? path.join(pkgDir, 'build');
const statusFile = path.join(outDir, 'native-status.json');
const addonOut = path.join(outDir, 'capi20.node');
const nodeDir = process.env.FAXGATE_NODE_DIR ?? path.dirname(path.dirname(process.execPath));
const log = (msg) => process.stderr.write(`[capi-bindings build:native] ${msg}\n`);

function findNodeGyp() {
  const candidates = [];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  // npm sets npm_execpath to its npm-cli.js; node-gyp ships inside npm.
  if (process.env.npm_execpath)
    candidates.push(
      path.join(
        path.dirname(path.dirname(process.env.npm_execpath)),
        'node_modules/node-gyp/bin/node-gyp.js',
      ),
    );
  candidates.push(path.join(nodeDir, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'));
  return candidates.find((c) => fs.existsSync(c));
}

function finish(ok, reason) {
  fs.mkdirSync(outDir, { recursive: true });
  const status = { ok, reason, node: process.version, at: new Date().toISOString() };
  fs.writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
  if (ok) log(`built ${addonOut}`);
  // A stale addon beside a failed build would hide the failure.
  else fs.rmSync(addonOut, { force: true });
  if (!ok) log(`native addon NOT built (the native CAPI transport stays unavailable): ${reason}`);
  process.exit(0);
}

// The bootstrap runs this before every test run: skip when the addon is newer than its sources.
function upToDate() {
  if (process.argv.includes('--force') || !fs.existsSync(addonOut)) return false;
  try {
    const status = JSON.parse(fs.readFileSync(statusFile, 'utf8'));
    if (!status.ok || status.node !== process.version) return false;
  } catch {
    return false;
  }
  const built = fs.statSync(addonOut).mtimeMs;
  const sources = [path.join(nativeDir, 'binding.gyp'), fileURLToPath(import.meta.url)];
  for (const f of fs.readdirSync(path.join(nativeDir, 'src'))) sources.push(path.join(nativeDir, 'src', f));
  return sources.every((f) => fs.statSync(f).mtimeMs <= built);
}

if (upToDate()) {
  log('up to date');
  process.exit(0);
}
if (!fs.existsSync(path.join(nodeDir, 'include/node/node_api.h')))
  finish(false, `Node headers not found in ${path.join(nodeDir, 'include/node')}`);
const nodeGyp = findNodeGyp();
if (!nodeGyp) finish(false, 'node-gyp not found (neither in node_modules nor bundled with npm)');

// node-gyp works in <outDir>/gyp on a copy of binding.gyp whose sources point back here, so
// its intermediate files stay under build/ and separate builds never share a directory.
const workDir = path.join(outDir, 'gyp');
fs.mkdirSync(workDir, { recursive: true });
const gyp = JSON.parse(
  fs
    .readFileSync(path.join(nativeDir, 'binding.gyp'), 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n'),
);
let addonApiDir;
try {
  addonApiDir = path.dirname(createRequire(import.meta.url).resolve('node-addon-api/package.json'));
} catch {
  finish(false, 'node-addon-api is not installed (run npm ci)');
}
for (const t of gyp.targets) t.include_dirs = [addonApiDir];
for (const t of gyp.targets)
  t.sources = t.sources.map((s) => path.relative(workDir, path.join(nativeDir, s)));
fs.writeFileSync(path.join(workDir, 'binding.gyp'), JSON.stringify(gyp, null, 2));

const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--loglevel=warn'], {
  cwd: workDir,
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: nodeDir },
  stdio: ['ignore', 'pipe', 'pipe'],
});
if (r.error) finish(false, `could not run node-gyp: ${r.error.message}`);
if (r.status !== 0) {
  const out = `${r.stdout}\n${r.stderr}`;
  process.stderr.write(out.slice(-4000));
  const firstError =
    out.split('\n').find((l) => /error|not found|No such file/i.test(l)) ?? `exit ${r.status}`;
  finish(false, `node-gyp failed: ${firstError.trim()}`);
}
const built = path.join(workDir, 'build/Release/capi20.node');
if (!fs.existsSync(built)) finish(false, `node-gyp succeeded but ${built} is missing`);
fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(built, addonOut);
finish(true, '');
