// The bootstrap's decisions about PostgreSQL and Redis, from injected probes: what is missing
// leads to which commands, in which order, and what a non-root user is told. The machine is
// not touched (the real probes and commands run in `npm test`'s pretest on every run).
import { describe, expect, it } from 'vitest';
import { HBA_LINES, HBA_MARKER, planServices, redisArgs, rootAdvice } from './services-plan.mjs';

/** A machine with everything installed, one cluster 15/main on 5432, both answering. */
function healthy() {
  return {
    root: true,
    pg: {
      local: true,
      port: 5432,
      installed: true,
      versions: ['15'],
      clusters: [{ version: '15', name: 'main', port: 5432, online: true }],
      ready: true,
      authOk: true,
      hbaMarked: () => false,
    },
    redis: { local: true, port: 6379, installed: true, ready: true },
  };
}
const fresh = () => ({ pgInstalledHere: false, pgCreatedHere: [] });
const commands = (plan) => plan.steps.map((s) => (s.kind === 'run' ? [s.cmd, ...s.args].join(' ') : s.kind));

describe('planServices', () => {
  it('does nothing on a machine where both answer and the URL gets in', () => {
    const plan = planServices(healthy(), fresh());
    expect(plan).toEqual({ steps: [], problems: [], installsPg: false, createsCluster: undefined });
  });

  it('installs both servers in one apt-get when both are missing, and nothing else in that phase', () => {
    const p = healthy();
    Object.assign(p.pg, { installed: false, versions: [], clusters: [], ready: false, authOk: false });
    Object.assign(p.redis, { installed: false, ready: false });
    const plan = planServices(p, fresh());
    expect(commands(plan)).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends postgresql redis-server',
    ]);
    expect(plan.steps[1].env).toEqual({ DEBIAN_FRONTEND: 'noninteractive' });
    expect(plan.installsPg).toBe(true);
  });

  it('installs only Redis when PostgreSQL is there, and does not count it as a PostgreSQL install', () => {
    const p = healthy();
    Object.assign(p.redis, { installed: false, ready: false });
    const plan = planServices(p, fresh());
    expect(commands(plan)).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends redis-server',
    ]);
    expect(plan.installsPg).toBe(false);
  });

  it('installs nothing for a server whose URL points at another host', () => {
    const p = healthy();
    Object.assign(p.pg, {
      local: false,
      installed: false,
      versions: [],
      clusters: [],
      ready: false,
      authOk: false,
    });
    Object.assign(p.redis, { local: false, installed: false, ready: false });
    expect(planServices(p, fresh()).steps).toEqual([]);
  });

  it('after installing PostgreSQL (Debian made and started 15/main): trusts this host in it, reloads, waits', () => {
    const p = healthy();
    p.pg.authOk = false;
    const plan = planServices(p, { pgInstalledHere: true, pgCreatedHere: [] });
    expect(commands(plan)).toEqual(['hba', 'pg_ctlcluster --skip-systemctl-redirect 15 main reload', 'wait']);
    expect(plan.steps[0].cluster).toEqual(p.pg.clusters[0]);
    expect(plan.steps[2].what).toBe('postgresql');
    expect(plan.problems).toEqual([]);
  });

  it('after installing PostgreSQL whose cluster did not start: trusts this host, starts it, waits', () => {
    const p = healthy();
    Object.assign(p.pg, { ready: false, authOk: false });
    p.pg.clusters[0].online = false;
    const plan = planServices(p, { pgInstalledHere: true, pgCreatedHere: [] });
    expect(commands(plan)).toEqual(['hba', 'pg_ctlcluster --skip-systemctl-redirect 15 main start', 'wait']);
  });

  it('writes pg_hba.conf only once: a marked cluster is not changed again', () => {
    const p = healthy();
    p.pg.hbaMarked = () => true;
    expect(planServices(p, { pgInstalledHere: true, pgCreatedHere: [] }).steps).toEqual([]);
  });

  it('creates a cluster on the URL port when the server has none, then (next phase) sets it up as its own', () => {
    const p = healthy();
    Object.assign(p.pg, { clusters: [], ready: false, authOk: false, versions: ['13', '15'] });
    const memory = fresh();
    const plan = planServices(p, memory);
    expect(commands(plan)).toEqual(['pg_createcluster --port 5432 15 main']);
    expect(plan.createsCluster).toBe('15/main');
    memory.pgCreatedHere.push(plan.createsCluster);
    p.pg.clusters = [{ version: '15', name: 'main', port: 5432, online: false }];
    expect(commands(planServices(p, memory))).toEqual([
      'hba',
      'pg_ctlcluster --skip-systemctl-redirect 15 main start',
      'wait',
    ]);
  });

  it('starts an installed cluster that is down without touching its pg_hba.conf (the case the bootstrap had before)', () => {
    const p = healthy();
    Object.assign(p.pg, { ready: false, authOk: false });
    p.pg.clusters[0].online = false;
    expect(commands(planServices(p, fresh()))).toEqual([
      'pg_ctlcluster --skip-systemctl-redirect 15 main start',
      'wait',
    ]);
  });

  it('never changes authentication of a cluster it found: a refused URL is a problem naming the lines to add', () => {
    const p = healthy();
    p.pg.authOk = false;
    const plan = planServices(p, fresh());
    expect(plan.steps).toEqual([]);
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]).toContain('/etc/postgresql/15/main/pg_hba.conf');
    expect(plan.problems[0]).toContain('host all all 127.0.0.1/32 trust');
    expect(plan.problems[0]).toContain('pg_ctlcluster 15 main reload');
  });

  it('does not create a second cluster on a machine whose clusters are on other ports: it says what to do', () => {
    const p = healthy();
    p.pg.port = 5433;
    Object.assign(p.pg, { ready: false, authOk: false });
    const plan = planServices(p, fresh());
    expect(plan.steps).toEqual([]);
    expect(plan.problems[0]).toMatch(/no PostgreSQL cluster on port 5433 \(found 15\/main on 5432\)/);
    expect(plan.problems[0]).toContain('pg_createcluster --port 5433 15 faxgate --start');
  });

  it('starts Redis when installed and not answering, on the URL port, data and log dirs made first', () => {
    const p = healthy();
    p.redis = { local: true, port: 6390, installed: true, ready: false };
    const plan = planServices(p, fresh());
    expect(commands(plan)).toEqual([
      'mkdir -p /var/lib/redis /var/log/redis',
      ['redis-server', ...redisArgs(6390)].join(' '),
      'wait',
    ]);
    expect(redisArgs(6390)).toEqual(
      expect.arrayContaining(['--daemonize', 'yes', '--port', '6390', '--bind', '127.0.0.1']),
    );
    expect(plan.steps[2].what).toBe('redis');
  });

  it('plans PostgreSQL and Redis in the same phase when both only need starting', () => {
    const p = healthy();
    Object.assign(p.pg, { ready: false, authOk: false });
    p.pg.clusters[0].online = false;
    p.redis.ready = false;
    expect(commands(planServices(p, fresh()))).toEqual([
      'pg_ctlcluster --skip-systemctl-redirect 15 main start',
      'wait',
      'mkdir -p /var/lib/redis /var/log/redis',
      ['redis-server', ...redisArgs(6379)].join(' '),
      'wait',
    ]);
  });
});

describe('the pg_hba.conf lines', () => {
  it('trust this host only (IPv4 and IPv6 loopback), behind a marker', () => {
    expect(HBA_LINES[0]).toBe(HBA_MARKER);
    const rules = HBA_LINES.filter((l) => l && !l.startsWith('#'));
    expect(rules).toEqual(['host all all 127.0.0.1/32 trust', 'host all all ::1/128 trust']);
  });
});

describe('rootAdvice', () => {
  it('names the one command to run once as root, with the URLs sudo would drop, and what it will do', () => {
    const text = rootAdvice(
      '/srv/faxgate/infra/bootstrap.mjs',
      ['apt', 'services'],
      [
        'install the Debian packages sfftobmp',
        'install postgresql and redis-server',
        'install postgresql and redis-server',
      ],
      { DATABASE_URL: undefined, REDIS_URL: "redis://127.0.0.1:6390/o'k" },
    );
    expect(text.split('\n')).toEqual([
      'this needs root once; run:',
      "  sudo env REDIS_URL='redis://127.0.0.1:6390/o'\\''k' node /srv/faxgate/infra/bootstrap.mjs apt services",
      'which will:',
      '  - install the Debian packages sfftobmp',
      '  - install postgresql and redis-server',
      'then run this command again.',
    ]);
  });

  it('is a plain sudo node … when no URL is set', () => {
    expect(rootAdvice('/b.mjs', ['services'], ['x']).split('\n')[1]).toBe('  sudo node /b.mjs services');
  });
});
