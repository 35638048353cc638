// A scripted CAPI fax application for tests and the benchmark: sends or receives one fax
// over a TestClient in the order of capi-reference §8.3, and follows the call to its end
// whatever the remote side does.
import {
  type BProtocol,
  type CapiMessage,
  decodeFaxNcpi,
  type FaxNcpi,
  faxBProtocol,
} from '@faxgate/capi-bindings';
import { type BilevelPage, createPage, setPixel } from '@faxgate/fax-core';
import type { TestClient } from './client.js';

export const FAX_B: BProtocol = faxBProtocol({
  b3: 4,
  resolution: 1,
  format: 0,
  stationId: '+49 30 1234',
  headLine: 'faxgate',
});

/** A page with a recognisable pattern (seeded), so tests can compare what arrived. */
export function testPage(
  seed: number,
  height = 120,
  resolution: BilevelPage['resolution'] = 'fine',
): BilevelPage {
  const p = createPage(1728, height, resolution);
  for (let y = 0; y < height; y++) {
    if ((y + seed) % 7 === 0) continue;
    const x0 = (seed * 37 + y * 11) % 1500;
    for (let x = x0; x < x0 + 40 + ((seed + y) % 90); x++) setPixel(p, x, y, true);
  }
  return p;
}

export interface SendResult {
  connectConfInfo: number;
  plci: number;
  ncci?: number;
  activeNcpi?: FaxNcpi;
  finalNcpi?: FaxNcpi;
  reasonB3?: number;
  reason?: number;
  dataConfInfos: number[];
}

const ncpi4 = (b: Uint8Array | undefined) => (b?.length ? decodeFaxNcpi(4, b) : undefined);

/** Sends an SFF document as a fax. Stops early when the remote side clears. */
export async function sendFax(
  c: TestClient,
  opts: {
    controller?: number;
    to: string;
    from?: string;
    sff: Uint8Array;
    b?: BProtocol;
    cip?: number;
    block?: number;
  },
): Promise<SendResult> {
  const conf = await c.request(
    {
      name: 'CONNECT_REQ',
      controller: opts.controller ?? 1,
      cipValue: opts.cip ?? 4,
      calledPartyNumber: { typePlan: 0x80, digits: opts.to },
      callingPartyNumber: { typePlan: 0x00, presentation: 0x80, digits: opts.from ?? '3001' },
      bProtocol: opts.b ?? FAX_B,
    },
    'CONNECT_CONF',
  );
  const res: SendResult = { connectConfInfo: conf.info, plci: conf.plci, dataConfInfos: [] };
  if (conf.info !== 0) return res;
  const plci = conf.plci;
  const onPlci = (m: CapiMessage) => 'plci' in m && m.plci === plci;
  const finish = async (): Promise<SendResult> => {
    const d = (await c.next('DISCONNECT_IND', (m) => m.plci === plci)) as { reason: number };
    res.reason = d.reason;
    c.send({ name: 'DISCONNECT_RESP', plci });
    return res;
  };
  const a = await c.nextWhere(
    (m) => onPlci(m) && (m.name === 'CONNECT_ACTIVE_IND' || m.name === 'DISCONNECT_IND'),
  );
  if (a.name === 'DISCONNECT_IND') {
    c.inbox.unshift(a);
    return finish();
  }
  c.send({ name: 'CONNECT_ACTIVE_RESP', plci });
  const b3 = await c.request({ name: 'CONNECT_B3_REQ', plci }, 'CONNECT_B3_CONF');
  if (b3.info !== 0) throw new Error(`CONNECT_B3_CONF 0x${b3.info.toString(16)}`);
  const ncci = b3.ncci;
  res.ncci = ncci;
  const onNcci = (m: CapiMessage) => 'ncci' in m && m.ncci === ncci;
  const b3End = async () => {
    const d = await c.next('DISCONNECT_B3_IND', (m) => m.ncci === ncci);
    res.reasonB3 = d.reasonB3;
    res.finalNcpi = ncpi4(d.ncpi);
    c.send({ name: 'DISCONNECT_B3_RESP', ncci });
  };
  const act = await c.nextWhere(
    (m) => onNcci(m) && (m.name === 'CONNECT_B3_ACTIVE_IND' || m.name === 'DISCONNECT_B3_IND'),
  );
  if (act.name === 'DISCONNECT_B3_IND') {
    c.inbox.unshift(act);
    await b3End();
    c.send({ name: 'DISCONNECT_REQ', plci });
    return finish();
  }
  res.activeNcpi = ncpi4((act as { ncpi?: Uint8Array }).ncpi);
  c.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci });

  // DATA_B3 with at most 7 blocks outstanding; stop when B3 ends under us.
  const block = opts.block ?? 2048;
  let handle = 0;
  let outstanding = 0;
  let ended = false;
  let offset = 0;
  const sff = opts.sff;
  while (offset < sff.length || outstanding > 0) {
    if (offset < sff.length && outstanding < 7) {
      const data = sff.subarray(offset, offset + block);
      offset += data.length;
      outstanding++;
      c.send({ name: 'DATA_B3_REQ', ncci, data, dataHandle: handle++ & 0xffff, flags: 0 });
      continue;
    }
    const m = await c.nextWhere(
      (x) => onNcci(x) && (x.name === 'DATA_B3_CONF' || x.name === 'DISCONNECT_B3_IND'),
    );
    if (m.name === 'DISCONNECT_B3_IND') {
      c.inbox.unshift(m);
      ended = true;
      break;
    }
    outstanding--;
    res.dataConfInfos.push((m as { info: number }).info);
  }
  if (!ended) {
    const d = await c.request({ name: 'DISCONNECT_B3_REQ', ncci }, 'DISCONNECT_B3_CONF');
    if (d.info !== 0) throw new Error(`DISCONNECT_B3_CONF 0x${d.info.toString(16)}`);
  }
  await b3End();
  // The line may already be gone (remote hung up) — then DISCONNECT_IND is on its way.
  const gone = c.inbox.some((m) => m.name === 'DISCONNECT_IND' && m.plci === plci);
  if (!gone) c.send({ name: 'DISCONNECT_REQ', plci });
  return finish();
}

export interface ReceiveResult {
  plci: number;
  cip: number;
  calling: string;
  called: string;
  sff: Buffer;
  activeNcpi?: FaxNcpi;
  finalNcpi?: FaxNcpi;
  reasonB3?: number;
  reason?: number;
}

/** Answers the next CONNECT_IND as a fax and collects the SFF stream. */
export async function receiveFax(c: TestClient, b: BProtocol = FAX_B): Promise<ReceiveResult> {
  const ind = await c.next('CONNECT_IND');
  const plci = ind.plci;
  c.send({ name: 'CONNECT_RESP', plci, reject: 0, bProtocol: b });
  const res: ReceiveResult = {
    plci,
    cip: ind.cipValue,
    calling: ind.callingPartyNumber?.digits ?? '',
    called: ind.calledPartyNumber?.digits ?? '',
    sff: Buffer.alloc(0),
  };
  const chunks: Buffer[] = [];
  let ncci = 0;
  for (;;) {
    const m = await c.nextWhere(
      (x) => ('plci' in x && x.plci === plci) || ('ncci' in x && (x.ncci & 0xffff) === plci),
    );
    switch (m.name) {
      case 'CONNECT_ACTIVE_IND':
        c.send({ name: 'CONNECT_ACTIVE_RESP', plci });
        break;
      case 'CONNECT_B3_IND':
        ncci = m.ncci;
        c.send({ name: 'CONNECT_B3_RESP', ncci, reject: 0 });
        break;
      case 'CONNECT_B3_ACTIVE_IND':
        res.activeNcpi = ncpi4(m.ncpi);
        c.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci });
        break;
      case 'DATA_B3_IND':
        chunks.push(Buffer.from(m.data));
        c.send({ name: 'DATA_B3_RESP', ncci, dataHandle: m.dataHandle });
        break;
      case 'DISCONNECT_B3_IND':
        res.reasonB3 = m.reasonB3;
        res.finalNcpi = ncpi4(m.ncpi);
        c.send({ name: 'DISCONNECT_B3_RESP', ncci });
        break;
      case 'DISCONNECT_IND':
        res.reason = m.reason;
        c.send({ name: 'DISCONNECT_RESP', plci });
        res.sff = Buffer.concat(chunks);
        return res;
      default:
        break;
    }
  }
}
