// npm run bench:lines — how fast the gateway notices a lost line and how soon it receives
// again once the line is back. The daemon (startGateway) runs against capi-sim; the
// simulator's remote-CAPI server is stopped (every connection closed, port refused) and
// restarted on the same port after an outage of a chosen length. Measured per round:
//   loss → /health 503           (polled every 5 ms)
//   return → /health 200
//   return → first fax received and stored (a call injected every 20 ms until one is answered)
// The return figures grow with the outage: the reconnect backoff (0.5 s doubling, jittered,
// capped at 30 s) decides when the gateway knocks again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Ctx, closeCtx, health, receiveOne, startCtx } from '../src/test-support/line-world.js';

const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'both' },
    outages: { type: 'string', default: '0,2,8' },
    rounds: { type: 'string', default: '3' },
  },
});
const transports = values.transport === 'both' ? ['rcapi', 'native'] : [values.transport as string];
const outages = String(values.outages)
  .split(',')
  .map((s) => Number(s) * 1000);
const rounds = Number(values.rounds);

// libcapi20 reads $HOME/.capi20rc: a private HOME naming the simulator.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-bench-lines-'));
process.env.HOME = home;

async function until<T>(pick: () => Promise<T | undefined | false>, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pick();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Row {
  transport: string;
  outageMs: number;
  to503: number;
  to200: number;
  toFax: number;
}

async function round(c: Ctx, transport: string, outageMs: number): Promise<Row> {
  const before = Number((await c.db('faxes').where({ direction: 'in' }).count('* as n'))[0].n);
  const lost = performance.now();
  await c.sim.stopServing();
  await until(async () => (await health(c)).status === 503, '/health 503');
  const to503 = performance.now() - lost;
  if (outageMs > 0) await new Promise((r) => setTimeout(r, outageMs));
  const back = performance.now();
  await c.sim.restart();
  let to200 = 0;
  const healthy = until(async () => (await health(c)).status === 200, '/health 200').then(() => {
    to200 = performance.now() - back;
  });
  await receiveOne(c, '3001', 120_000);
  await until(
    async () => Number((await c.db('faxes').where({ direction: 'in' }).count('* as n'))[0].n) > before,
    'the fax stored',
  );
  const toFax = performance.now() - back;
  await healthy;
  return { transport, outageMs, to503, to200, toFax };
}

const rows: Row[] = [];
for (const transport of transports) {
  const c = await startCtx(
    {
      transport: transport as 'rcapi' | 'native',
      prepare: (sim) =>
        fs.writeFileSync(path.join(home, '.capi20rc'), `REMOTE rcapi 127.0.0.1 ${sim.port}\nTRACELEVEL 0\n`),
    },
    ['  receiveReserve: 0'],
  );
  try {
    for (const outageMs of outages) {
      for (let i = 0; i < rounds; i++) {
        const r = await round(c, transport, outageMs);
        rows.push(r);
        process.stderr.write('.');
      }
    }
  } finally {
    await closeCtx(c);
  }
}
process.stderr.write('\n');

const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)];
  return `${Math.round(s[0])} / ${Math.round(med)} / ${Math.round(s[s.length - 1])}`;
};
console.log(
  `\nbench:lines — gateway (startGateway) against capi-sim (in process, time factor 0), lines.probeIntervalSeconds 0.5, ${rounds} rounds per row; ms as min / median / max\n`,
);
console.log('| transport | outage | loss → /health 503 | return → /health 200 | return → first fax stored |');
console.log('|---|---:|---:|---:|---:|');
for (const transport of transports) {
  for (const outageMs of outages) {
    const rs = rows.filter((r) => r.transport === transport && r.outageMs === outageMs);
    console.log(
      `| ${transport} | ${outageMs / 1000} s | ${fmt(rs.map((r) => r.to503))} | ${fmt(rs.map((r) => r.to200))} | ${fmt(rs.map((r) => r.toFax))} |`,
    );
  }
}
fs.rmSync(home, { recursive: true, force: true });
process.exit(0);
