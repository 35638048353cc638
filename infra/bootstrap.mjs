#!/usr/bin/env node
// Brings a fresh machine of the project's kind to the point where `npm start` and `npm test`
// work: Debian packages, local PostgreSQL and Redis, npm dependencies, the build.
// Uses Node built-ins only, because it runs before `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[bootstrap] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function ok(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
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
    log(`missing Debian packages (install them as root): ${missing.join(' ')}`);
    return;
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

function services() {
  const dbUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const local = (h) => ['127.0.0.1', 'localhost', '::1', ''].includes(h);
  if (
    local(dbUrl.hostname) &&
    !ok('pg_isready', ['-q', '-h', dbUrl.hostname || '127.0.0.1', '-p', dbUrl.port || '5432'])
  ) {
    log('PostgreSQL is down: starting it');
    const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : [];
    for (const v of versions)
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', v, 'main', 'start'], { stdio: 'inherit' });
    for (let i = 0; i < 60 && !ok('pg_isready', ['-q', '-h', '127.0.0.1']); i++)
      execFileSync('sleep', ['0.5']);
  }
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  if (
    local(redisUrl.hostname) &&
    !ok('redis-cli', ['-h', redisUrl.hostname, '-p', redisUrl.port || '6379', 'ping'])
  ) {
    log('Redis is down: starting it');
    fs.mkdirSync('/var/lib/redis', { recursive: true });
    fs.mkdirSync('/var/log/redis', { recursive: true });
    spawnSync(
      'redis-server',
      [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '-::1',
        '--port',
        '6379',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        '/var/lib/redis',
        '--logfile',
        '/var/log/redis/ci.log',
      ],
      { stdio: 'inherit' },
    );
    for (let i = 0; i < 60 && !ok('redis-cli', ['ping']); i++) execFileSync('sleep', ['0.5']);
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
  log('building (tsc -b and native parts)');
  run('npm', ['run', '--silent', '--workspaces', '--if-present', 'build:native']);
  run('npx', ['tsc', '-b']);
}

const steps = { apt: aptPackages, services, deps: npmDeps, build };
const only = process.argv.slice(2);
for (const [name, fn] of Object.entries(steps)) {
  if (only.length && !only.includes(name)) continue;
  fn();
}
