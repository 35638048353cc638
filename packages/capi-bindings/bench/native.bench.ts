/**
 * npm run bench:native -w @faxgate/capi-bindings
 *
 * The native transport (real libcapi20 through the addon) beside the pure-TypeScript rcapi
 * transport, against the same local rcapi server: request/confirm round trips (LISTEN_REQ →
 * LISTEN_CONF) and DATA_B3 throughput (2048-byte blocks, 7 outstanding, as a fax send does).
 * The anchor is the rcapi transport: what the native path costs or gains over plain sockets.
 */

import { NativeTransport } from '../src/native/native-transport.js';
import { capiHome } from '../src/test-support/native-child-client.js';
import { dataB3Req, listenReq } from '../src/test-support/raw-messages.js';
import { RcapiPeer } from '../src/test-support/rcapi-peer.js';
import { RcapiTransport } from '../src/transport/rcapi/transport.js';
import type { CapiApplication, CapiTransport } from '../src/transport/types.js';

const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 2000);
const DATA_BYTES = Number(process.env.BENCH_DATA_BYTES ?? 8 * 1024 * 1024);

function next(app: CapiApplication, cmd: number, sub: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const on = (raw: Buffer) => {
      if (raw[4] === cmd && raw[5] === sub) {
        app.off('message', on);
        resolve(raw);
      }
    };
    app.on('message', on);
  });
}

async function roundTrips(app: CapiApplication): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const conf = next(app, 0x05, 0x81);
    await app.putMessage(listenReq(app.applId, i & 0xffff));
    await conf;
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function throughput(app: CapiApplication): Promise<number> {
  const block = Buffer.alloc(2048, 0x5a);
  const blocks = Math.ceil(DATA_BYTES / block.length);
  let sent = 0;
  let confirmed = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (sent < blocks && sent - confirmed < 7) {
        const h = sent++ & 0xffff;
        app.putMessage(dataB3Req(app.applId, h, 0x010101, block.length, h), block).catch(reject);
      }
    };
    app.on('message', (raw: Buffer) => {
      if (raw[4] !== 0x86 || raw[5] !== 0x81) return;
      confirmed++;
      if (confirmed === blocks) resolve();
      else pump();
    });
    pump();
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return (blocks * block.length) / 1024 / 1024 / (ms / 1000);
}

async function measure(name: string, t: CapiTransport) {
  const app = await t.register({ maxLogicalConnection: 1, maxBDataBlocks: 7, maxBDataLen: 2048 });
  await roundTrips(app); // warm-up
  const ms = await roundTrips(app);
  const mbps = await throughput(app);
  await app.release();
  await t.close();
  return {
    transport: name,
    'round trip µs': ((ms * 1000) / ROUND_TRIPS).toFixed(1),
    'DATA_B3 MiB/s': mbps.toFixed(1),
  };
}

const server = await RcapiPeer.start({ card: true });
server.echo = false;
process.env.HOME = capiHome(server.port); // before libcapi20's first call
const rows = [
  await measure('rcapi (TypeScript, anchor)', new RcapiTransport({ port: server.port })),
  await measure('native (libcapi20 addon)', new NativeTransport()),
];
console.table(rows);
console.log(
  `${ROUND_TRIPS} LISTEN round trips each; ${(DATA_BYTES / 1024 / 1024).toFixed(0)} MiB of DATA_B3_REQ in 2048-byte blocks, 7 outstanding; one 64 kbit/s B channel needs 0.008 MiB/s`,
);
await server.close();
