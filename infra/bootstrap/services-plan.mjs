// What the bootstrap does about the local PostgreSQL and Redis: a pure decision from what the
// probes saw (services-probe.mjs) to the next commands, so it is tested without touching the
// machine (services-plan.test.mjs). The bootstrap runs a plan, probes again and plans again
// until nothing is left: installing PostgreSQL changes what the next probe sees (Debian's
// package creates and may start a cluster), so one plan covers one phase.
// Node built-ins only: this runs before `npm ci`.

/** The lines put at the top of pg_hba.conf of a cluster the bootstrap installed or created:
 * the test and demo set-up the README's defaults describe (role `postgres` and the roles the
 * tests create, without a password, from this host only). Never written into a cluster the
 * bootstrap found already there. */
export const HBA_MARKER = '# faxgate bootstrap: test/demo cluster, trusted from this host only';
export const HBA_LINES = [HBA_MARKER, 'host all all 127.0.0.1/32 trust', 'host all all ::1/128 trust', ''];

/**
 * @typedef {{ version: string, name: string, port: number, online: boolean }} Cluster
 * @typedef {{
 *   local: boolean,         // database.url points at this host
 *   port: number,           // its port
 *   installed: boolean,     // a PostgreSQL server (bin/postgres) and postgresql-common
 *   versions: string[],     // installed server majors, e.g. ['15']
 *   clusters: Cluster[],
 *   ready: boolean,         // pg_isready on host:port
 *   authOk: boolean,        // psql with database.url, never prompting for a password
 *   hbaMarked: (c: Cluster) => boolean,
 * }} PgProbe
 * @typedef {{ local: boolean, port: number, installed: boolean, ready: boolean }} RedisProbe
 * @typedef {{ root: boolean, pg: PgProbe, redis: RedisProbe }} Probes
 * @typedef {{ pgInstalledHere: boolean, pgCreatedHere: string[] }} Memory  what earlier phases of this run did
 * @typedef {{ kind: 'run', why: string, cmd: string, args: string[], env?: Record<string, string> }
 *   | { kind: 'hba', why: string, cluster: Cluster }
 *   | { kind: 'wait', why: string, what: 'postgresql' | 'redis' }} Step
 * @typedef {{ steps: Step[], problems: string[], installsPg: boolean, createsCluster?: string }} Plan
 */

/** The Debian packages that provide the servers. */
export const SERVER_PACKAGES = { pg: 'postgresql', redis: 'redis-server' };

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

/**
 * The next phase for the services.
 * @param {Probes} p
 * @param {Memory} memory
 * @returns {Plan}
 */
export function planServices(p, memory) {
  /** @type {Step[]} */
  const steps = [];
  /** @type {string[]} */
  const problems = [];

  // 1. Missing servers: one apt-get for both; everything else waits for the next phase.
  const missing = [];
  if (p.pg.local && !p.pg.installed) missing.push(SERVER_PACKAGES.pg);
  if (p.redis.local && !p.redis.installed) missing.push(SERVER_PACKAGES.redis);
  if (missing.length > 0) {
    const why = `install ${missing.join(' and ')} (missing; database/redis URL is local)`;
    steps.push({ kind: 'run', why, cmd: 'apt-get', args: ['update', '-qq'], env: APT_ENV });
    steps.push({
      kind: 'run',
      why,
      cmd: 'apt-get',
      args: ['install', '-y', '-qq', '--no-install-recommends', ...missing],
      env: APT_ENV,
    });
    return { steps, problems, installsPg: missing.includes(SERVER_PACKAGES.pg) };
  }

  const createsCluster = p.pg.local ? planPg(p.pg, memory, steps, problems) : undefined;
  if (p.redis.local && !p.redis.ready) {
    const why = `start Redis on 127.0.0.1:${p.redis.port} (installed, not answering)`;
    steps.push({ kind: 'run', why, cmd: 'mkdir', args: ['-p', '/var/lib/redis', '/var/log/redis'] });
    steps.push({
      kind: 'run',
      why,
      cmd: 'redis-server',
      args: redisArgs(p.redis.port),
    });
    steps.push({ kind: 'wait', why: 'Redis answers PING', what: 'redis' });
  }
  return { steps, problems, installsPg: false, createsCluster };
}

/**
 * The PostgreSQL part of a phase; returns the cluster it creates ("15/main"), if any.
 * @param {PgProbe} pg
 * @param {Memory} memory
 * @param {Step[]} steps
 * @param {string[]} problems
 * @returns {string | undefined}
 */
function planPg(pg, memory, steps, problems) {
  const onPort = pg.clusters.filter((c) => c.port === pg.port);
  if (onPort.length === 0) {
    const other = pg.clusters.map((c) => `${c.version}/${c.name} on ${c.port}`);
    if (other.length > 0 && !memory.pgInstalledHere) {
      problems.push(
        `no PostgreSQL cluster on port ${pg.port} (found ${other.join(', ')}): set DATABASE_URL to one of them, ` +
          `or create one: pg_createcluster --port ${pg.port} ${newest(pg.versions)} faxgate --start`,
      );
      return undefined;
    }
    const version = newest(pg.versions);
    const name = other.length > 0 ? 'faxgate' : 'main';
    steps.push({
      kind: 'run',
      why: `create PostgreSQL cluster ${version}/${name} on port ${pg.port} (none there)`,
      cmd: 'pg_createcluster',
      args: ['--port', String(pg.port), version, name],
    });
    return `${version}/${name}`; // the next phase sees the new cluster
  }
  const cluster = onPort[0];
  const ours = memory.pgInstalledHere || memory.pgCreatedHere.includes(`${cluster.version}/${cluster.name}`);
  const needsHba = ours && !pg.hbaMarked(cluster);
  if (needsHba)
    steps.push({
      kind: 'hba',
      why: `trust 127.0.0.1 and ::1 in the new cluster ${cluster.version}/${cluster.name}`,
      cluster,
    });
  if (!pg.ready || !cluster.online) {
    steps.push({
      kind: 'run',
      why: `start PostgreSQL ${cluster.version}/${cluster.name} (not answering on ${pg.port})`,
      cmd: 'pg_ctlcluster',
      args: ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start'],
    });
    steps.push({ kind: 'wait', why: 'PostgreSQL accepts connections', what: 'postgresql' });
    return undefined;
  }
  if (needsHba) {
    steps.push({
      kind: 'run',
      why: `reload PostgreSQL ${cluster.version}/${cluster.name} (new pg_hba.conf)`,
      cmd: 'pg_ctlcluster',
      args: ['--skip-systemctl-redirect', cluster.version, cluster.name, 'reload'],
    });
    steps.push({ kind: 'wait', why: 'PostgreSQL accepts connections', what: 'postgresql' });
    return undefined;
  }
  if (!pg.authOk)
    problems.push(
      `PostgreSQL ${cluster.version}/${cluster.name} answers on ${pg.port} but refuses the database URL without a password; ` +
        `the tests and the demo expect (README Prerequisites) these lines at the top of ` +
        `/etc/postgresql/${cluster.version}/${cluster.name}/pg_hba.conf, then pg_ctlcluster ${cluster.version} ${cluster.name} reload:\n` +
        HBA_LINES.slice(1, 3).join('\n'),
    );
  return undefined;
}

/** @param {string[]} versions */
function newest(versions) {
  return [...versions].sort((a, b) => Number(b) - Number(a))[0] ?? '15';
}

/** @param {number} port */
export function redisArgs(port) {
  return [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '-::1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    '/var/lib/redis',
    '--logfile',
    '/var/log/redis/ci.log',
  ];
}

/**
 * What a non-root user is told when a plan needs root: the one command to run once.
 * @param {string} bootstrapPath absolute path of infra/bootstrap.mjs
 * @param {string[]} stepNames the bootstrap steps that need root, e.g. ['apt', 'services']
 * @param {string[]} whys what the root run will do
 * @param {Record<string, string | undefined>} env DATABASE_URL and REDIS_URL as set (sudo drops them)
 */
export function rootAdvice(bootstrapPath, stepNames, whys, env = {}) {
  const unique = [...new Set(whys)];
  const vars = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}='${String(v).replaceAll("'", "'\\''")}' `)
    .join('');
  return [
    'this needs root once; run:',
    `  sudo ${vars ? `env ${vars}` : ''}node ${bootstrapPath} ${stepNames.join(' ')}`,
    'which will:',
    ...unique.map((w) => `  - ${w}`),
    'then run this command again.',
  ].join('\n');
}
