#!/usr/bin/env node
// Brings a fresh machine of the project's kind to the point where `npm start` and `npm test`
// work: Debian packages, local PostgreSQL and Redis (installed, created and started when the
// URLs are local), npm dependencies, the build. As root it does it all; otherwise it says the
// one command to run once as root and exits non-zero.
// Uses Node built-ins only, because it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HBA_LINES, planServices, rootAdvice } from './bootstrap/services-plan.mjs';
import { answers, probeServices } from './bootstrap/services-probe.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[bootstrap] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function aptPackages() {
  const wanted = fs
    .readFileSync(path.join(root, 'infra/apt-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
  const missing = wanted.filter((p) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format, not a template
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return !(r.status === 0 && r.stdout.includes('install ok installed'));
  });
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    needRoot.steps.add('apt');
    needRoot.whys.push(`install the Debian packages ${missing.join(' ')}`);
    return;
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

/** What a non-root run could not do: the root run will (see rootAdvice). */
const needRoot = { steps: new Set(), whys: [] };

/** Installs (when missing), creates and starts the local PostgreSQL and Redis, phase by phase:
 * probe, plan (services-plan.mjs), run, probe again. */
function services() {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const memory = { pgInstalledHere: false, pgCreatedHere: [] };
  for (let phase = 0; phase < 8; phase++) {
    const probes = probeServices({ databaseUrl, redisUrl });
    const plan = planServices(probes, memory);
    if (plan.problems.length > 0) {
      for (const p of plan.problems) log(p);
      process.exit(1);
    }
    if (plan.steps.length === 0) return;
    if (!probes.root) {
      needRoot.steps.add('services');
      needRoot.whys.push(...plan.steps.filter((s) => s.kind !== 'wait').map((s) => s.why));
      return;
    }
    for (const step of plan.steps) {
      log(step.why);
      if (step.kind === 'run') run(step.cmd, step.args, { env: { ...process.env, ...step.env } });
      else if (step.kind === 'hba') trustLocalHost(step.cluster);
      else waitFor(step.what, step.what === 'redis' ? redisUrl : databaseUrl);
    }
    if (plan.installsPg) memory.pgInstalledHere = true;
    if (plan.createsCluster) memory.pgCreatedHere.push(plan.createsCluster);
  }
  throw new Error('PostgreSQL/Redis set-up did not settle after 8 phases');
}

/** @param {{ version: string, name: string }} cluster */
function trustLocalHost(cluster) {
  const file = `/etc/postgresql/${cluster.version}/${cluster.name}/pg_hba.conf`;
  fs.writeFileSync(file, HBA_LINES.join('\n') + fs.readFileSync(file, 'utf8'));
}

/** Waits until the service answers (at most 60 s), checking every 250 ms. */
function waitFor(what, url) {
  const deadline = Date.now() + 60_000;
  while (!answers[what](url)) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within 60 s`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
}

function npmDeps() {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules/.package-lock.json');
  const stale = !fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs;
  if (stale) {
    log('installing npm dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
}

function build() {
  log('building (tsc -b, native parts and the web console bundle)');
  run('npm', ['run', '--silent', '--workspaces', '--if-present', 'build:native']);
  run('npx', ['tsc', '-b']);
  run('npm', ['run', '--silent', '-w', '@faxgate/console', 'build']);
}

const steps = { apt: aptPackages, services, deps: npmDeps, build };
const only = process.argv.slice(2);
for (const [name, fn] of Object.entries(steps)) {
  if (only.length && !only.includes(name)) continue;
  if (needRoot.whys.length > 0 && name !== 'services') break;
  fn();
}
if (needRoot.whys.length > 0) {
  const order = ['apt', 'services'].filter((s) => needRoot.steps.has(s));
  const { DATABASE_URL, REDIS_URL } = process.env;
  log(rootAdvice(fileURLToPath(import.meta.url), order, needRoot.whys, { DATABASE_URL, REDIS_URL }));
  process.exit(1);
}
