// What the bootstrap looks at before deciding about the local PostgreSQL and Redis
// (services-plan.mjs decides): installed servers, clusters, whether they answer, and whether
// the database URL gets in without a password. Read-only; Node built-ins only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { HBA_MARKER } from './services-plan.mjs';

const LOCAL = ['127.0.0.1', 'localhost', '::1', '[::1]', ''];

/** @param {string} cmd @param {string[]} args */
function ok(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** @param {{ databaseUrl: string, redisUrl: string }} urls
 * @returns {import('./services-plan.mjs').Probes} */
export function probeServices({ databaseUrl, redisUrl }) {
  return { root: process.getuid?.() === 0, pg: probePg(databaseUrl), redis: probeRedis(redisUrl) };
}

/** @param {string} url */
export function probePg(url) {
  const u = new URL(url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 5432);
  const versions = fs.existsSync('/usr/lib/postgresql')
    ? fs
        .readdirSync('/usr/lib/postgresql')
        .filter((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/postgres`))
    : [];
  const installed = versions.length > 0 && ok('sh', ['-c', 'command -v pg_ctlcluster']);
  return {
    local: LOCAL.includes(u.hostname),
    port,
    installed,
    versions,
    clusters: installed ? clusters() : [],
    ready: ok('pg_isready', ['-q', '-h', host, '-p', String(port)]),
    authOk: ok('psql', ['-w', '-X', '-q', '-d', url, '-c', 'select 1']),
    hbaMarked: (c) => {
      try {
        return fs
          .readFileSync(`/etc/postgresql/${c.version}/${c.name}/pg_hba.conf`, 'utf8')
          .includes(HBA_MARKER);
      } catch {
        return false;
      }
    },
  };
}

/** pg_lsclusters -h: "15 main 5432 online postgres /var/lib/... /var/log/..." per line. */
function clusters() {
  const r = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([version, name, port, status]) => ({
      version,
      name,
      port: Number(port),
      online: status.startsWith('online'),
    }));
}

/** @param {string} url */
export function probeRedis(url) {
  const u = new URL(url);
  const port = Number(u.port || 6379);
  const r = spawnSync('redis-cli', ['-h', u.hostname || '127.0.0.1', '-p', String(port), 'ping'], {
    encoding: 'utf8',
  });
  return {
    local: LOCAL.includes(u.hostname),
    port,
    installed: ok('sh', ['-c', 'command -v redis-server']),
    ready: r.status === 0 && r.stdout.trim() === 'PONG',
  };
}

/** Whether the service answers now (the bootstrap waits on this, never on time alone). */
export const answers = {
  /** @param {string} url */
  postgresql: (url) => {
    const u = new URL(url);
    return ok('pg_isready', ['-q', '-h', u.hostname || '127.0.0.1', '-p', u.port || '5432']);
  },
  /** @param {string} url */
  redis: (url) => probeRedis(url).ready,
};
