import { afterEach, describe, expect, it } from 'vitest';
import type { CapiMessage } from '../codec/messages.js';
import { encodeFaxNcpi } from '../codec/structs.js';
import { type PeerConn, RcapiPeer } from '../test-support/rcapi-peer.js';
import { RcapiTransport } from '../transport/rcapi/transport.js';
import type { FaxResult } from './call-core.js';
import { receiveFaxes } from './receive-fax.js';
import { sendFax } from './send-fax.js';
import { CapiSession } from './session.js';

let peer: RcapiPeer | undefined;
let transport: RcapiTransport | undefined;
afterEach(async () => {
  await transport?.close();
  await peer?.close();
  peer = transport = undefined;
});

const PLCI = 0x0101;
const NCCI = 0x00010101;
const ncpi = (pages: number) =>
  encodeFaxNcpi({ b3: 4, rate: 14400, resolution: 1, format: 0, pages, receiveId: '+49 30 999' });

type Behaviour = 'ok' | 'busy' | 'abort-mid-page' | 'hang';

/** A scripted controller for outgoing calls. Records every message it got. */
function scriptOutgoing(p: RcapiPeer, behaviour: Behaviour) {
  const got: CapiMessage[] = [];
  let data = Buffer.alloc(0);
  let outstandingMax = 0;
  let outstanding = 0;
  p.on('message', (c: PeerConn, m: CapiMessage) => {
    got.push(m);
    const reply = (body: Parameters<RcapiPeer['send']>[1]) => p.send(c, body, m.messageNumber);
    switch (m.name) {
      case 'CONNECT_REQ':
        reply({ name: 'CONNECT_CONF', plci: PLCI, info: 0 });
        if (behaviour === 'busy') p.send(c, { name: 'DISCONNECT_IND', plci: PLCI, reason: 0x3491 });
        else if (behaviour !== 'hang') p.send(c, { name: 'CONNECT_ACTIVE_IND', plci: PLCI });
        break;
      case 'CONNECT_B3_REQ':
        reply({ name: 'CONNECT_B3_CONF', ncci: NCCI, info: 0 });
        p.send(c, { name: 'CONNECT_B3_ACTIVE_IND', ncci: NCCI, ncpi: ncpi(0) });
        break;
      case 'DATA_B3_REQ':
        outstanding++;
        outstandingMax = Math.max(outstandingMax, outstanding);
        data = Buffer.concat([data, m.data]);
        if (behaviour === 'abort-mid-page' && data.length > 5000) {
          p.send(c, { name: 'DISCONNECT_B3_IND', ncci: NCCI, reasonB3: 0x3314, ncpi: ncpi(1) });
          p.send(c, { name: 'DISCONNECT_IND', plci: PLCI, reason: 0x3490 });
          return;
        }
        // Confirm asynchronously, like a card.
        setImmediate(() => {
          outstanding--;
          p.send(c, { name: 'DATA_B3_CONF', ncci: NCCI, dataHandle: m.dataHandle, info: 0 });
        });
        break;
      case 'DISCONNECT_B3_REQ':
        reply({ name: 'DISCONNECT_B3_CONF', ncci: NCCI, info: 0 });
        p.send(c, { name: 'DISCONNECT_B3_IND', ncci: NCCI, reasonB3: 0, ncpi: ncpi(3) });
        break;
      case 'DISCONNECT_REQ':
        reply({ name: 'DISCONNECT_CONF', plci: PLCI, info: 0 });
        p.send(c, { name: 'DISCONNECT_IND', plci: PLCI, reason: 0x3490 });
        break;
    }
  });
  return { got, data: () => data, outstandingMax: () => outstandingMax };
}

async function setup(behaviour: Behaviour) {
  peer = await RcapiPeer.start();
  const script = scriptOutgoing(peer, behaviour);
  transport = new RcapiTransport({ port: peer.port });
  const session = await CapiSession.open(transport, { maxLogicalConnection: 2 });
  return { session, script };
}

const sff = Buffer.alloc(20_000).map((_, i) => (i * 7) & 0xff);

describe('sendFax against a scripted controller', () => {
  it('sends the whole document with ≤ 7 blocks of ≤ 2048 bytes outstanding', async () => {
    const { session, script } = await setup('ok');
    const last = peer!.next('DISCONNECT_RESP');
    const r = await sendFax(session, { controller: 1, calledNumber: '555', stationId: '+49 30 1', sff });
    await last;
    expect(r).toMatchObject({
      ok: true,
      pages: 3,
      remoteStationId: '+49 30 999',
      rate: 14400,
      resolution: 'fine',
    });
    expect(r.cause.class).toBe('ok');
    expect(script.data()).toEqual(sff);
    expect(script.outstandingMax()).toBeLessThanOrEqual(7);
    const names = script.got.map((m) => m.name).filter((n) => n !== 'DATA_B3_REQ');
    expect(names).toEqual([
      'CONNECT_REQ',
      'CONNECT_ACTIVE_RESP',
      'CONNECT_B3_REQ',
      'CONNECT_B3_ACTIVE_RESP',
      'DISCONNECT_B3_REQ',
      'DISCONNECT_B3_RESP',
      'DISCONNECT_REQ',
      'DISCONNECT_RESP',
    ]);
    for (const m of script.got) if (m.name === 'DATA_B3_REQ') expect(m.data.length).toBeLessThanOrEqual(2048);
    const req = script.got[0];
    expect(req.name === 'CONNECT_REQ' && req.bProtocol).toMatchObject({ b1: 4, b2: 4, b3: 4 });
  });

  it('streams an AsyncIterable source', async () => {
    const { session, script } = await setup('ok');
    async function* gen() {
      for (let i = 0; i < sff.length; i += 777) yield sff.subarray(i, i + 777);
    }
    const r = await sendFax(session, {
      controller: 1,
      calledNumber: '555',
      stationId: 'x',
      sff: gen(),
      b3: 5,
    });
    expect(r.ok).toBe(true);
    expect(script.data()).toEqual(sff);
  });

  it('busy → class busy, DISCONNECT_IND answered', async () => {
    const { session, script } = await setup('busy');
    const last = peer!.next('DISCONNECT_RESP');
    const r = await sendFax(session, { controller: 1, calledNumber: '555', stationId: 'x', sff });
    await last;
    expect(r.ok).toBe(false);
    expect(r.cause).toMatchObject({ reason: 0x3491, class: 'busy' });
    expect(script.got.map((m) => m.name)).toEqual(['CONNECT_REQ', 'DISCONNECT_RESP']);
  });

  it('remote abort mid-page → protocol-error 0x3314, pages from the NCPI', async () => {
    const { session } = await setup('abort-mid-page');
    const r = await sendFax(session, { controller: 1, calledNumber: '555', stationId: 'x', sff });
    expect(r).toMatchObject({ ok: false, pages: 1, phase: 'data' });
    expect(r.cause).toMatchObject({ reasonB3: 0x3314, class: 'protocol-error' });
  });

  it('timeout while ringing → clean DISCONNECT_REQ', async () => {
    const { session, script } = await setup('hang');
    const last = peer!.next('DISCONNECT_RESP');
    const r = await sendFax(session, {
      controller: 1,
      calledNumber: '555',
      stationId: 'x',
      sff,
      timeouts: { connectMs: 100 },
    });
    await last;
    expect(r.ok).toBe(false);
    expect(script.got.map((m) => m.name)).toEqual(['CONNECT_REQ', 'DISCONNECT_REQ', 'DISCONNECT_RESP']);
  });

  it('stop (AbortSignal) during data → DISCONNECT_B3 first, then DISCONNECT', async () => {
    const { session, script } = await setup('ok');
    const ac = new AbortController();
    let sent = 0;
    async function* slow() {
      for (let i = 0; i < 100; i++) {
        sent++;
        if (sent === 3) ac.abort();
        yield Buffer.alloc(2048, i);
        await new Promise((r) => setImmediate(r));
      }
    }
    const last = peer!.next('DISCONNECT_RESP');
    const r: FaxResult = await sendFax(session, {
      controller: 1,
      calledNumber: '5',
      stationId: 'x',
      sff: slow(),
      signal: ac.signal,
    });
    await last;
    expect(r.aborted).toBe(true);
    expect(r.ok).toBe(false);
    const names = script.got.map((m) => m.name).filter((n) => n !== 'DATA_B3_REQ');
    expect(names.slice(-4)).toEqual([
      'DISCONNECT_B3_REQ',
      'DISCONNECT_B3_RESP',
      'DISCONNECT_REQ',
      'DISCONNECT_RESP',
    ]);
  });
});

describe('connection lost mid-call', () => {
  it('ends the call at once (no waiting for step timeouts), cause local-error', async () => {
    const { session, script } = await setup('hang');
    const asked = peer!.next('CONNECT_REQ');
    const running = sendFax(session, { controller: 1, calledNumber: '555', stationId: 'x', sff });
    await asked;
    const t0 = Date.now();
    peer!.dropAll();
    const r = await running;
    expect(Date.now() - t0).toBeLessThan(5000); // connectMs is 90 s
    expect(r.ok).toBe(false);
    expect(r.cause.class).toBe('local-error');
    expect(r.cause.name).toMatch(/closed|connection/);
    expect(script.got.map((m) => m.name)).toEqual(['CONNECT_REQ']);
  });
});

describe('sendFax options', () => {
  it('refuses bad options before dialling', async () => {
    const { session, script } = await setup('ok');
    const base = { controller: 1, calledNumber: '555', stationId: 'x', sff };
    for (const bad of [
      { calledNumber: '555-1' },
      { calledNumber: '' },
      { stationId: 'x'.repeat(21) },
      { controller: 0 },
      { cip: 1 as 4 },
      { sff: 'nope' as unknown as Uint8Array },
    ]) {
      await expect(sendFax(session, { ...base, ...bad })).rejects.toMatchObject({ code: 'ERR_FAX_OPTIONS' });
    }
    // A marker after them: everything sent before it has reached the peer.
    const marker = peer!.next('LISTEN_REQ');
    void session.listen(1).catch(() => {});
    await marker;
    expect(script.got.map((m) => m.name)).toEqual(['LISTEN_REQ']);
  });
});

describe('CapiSession', () => {
  it('survives hostile frames from the server: garbage is reported, indications still answered', async () => {
    const { session } = await setup('ok');
    const conn = [...peer!.conns].find((c) => c.register)!;
    const warnings: string[] = [];
    session.on('warning', (w) => warnings.push(w));
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let i = 0; i < 300; i++) {
      const len = 8 + Math.floor(rnd() * 60);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = Math.floor(rnd() * 256);
      b.writeUInt16LE(len, 0);
      if (i % 3 === 0) b[5] = 0x82; // make many of them indications
      conn.sendFrame(b);
    }
    // Still alive and answering: a proper INFO_IND for nobody gets its INFO_RESP.
    const resp = peer!.next('INFO_RESP');
    peer!.send(conn, { name: 'INFO_IND', address: 0x0201, infoNumber: 0x8001 });
    expect((await resp)[1].address).toBe(0x0201);
    expect(session.isDown).toBe(false);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('a CONNECT_CONF that comes after its request timed out gets its PLCI disconnected', async () => {
    peer = await RcapiPeer.start();
    const p = peer;
    transport = new RcapiTransport({ port: p.port });
    const session = await CapiSession.open(transport, { confTimeoutMs: 100 });
    const held = p.next('CONNECT_REQ');
    const r = await sendFax(session, { controller: 1, calledNumber: '5', stationId: 'x', sff });
    expect(r.ok).toBe(false);
    expect(r.cause.class).toBe('local-error');
    const [conn, req] = await held;
    const disc = p.next('DISCONNECT_REQ');
    p.send(conn, { name: 'CONNECT_CONF', plci: PLCI, info: 0 }, req.messageNumber);
    expect((await disc)[1].plci).toBe(PLCI);
  });
});

describe('receiveFaxes against a scripted controller', () => {
  it('accepts, streams the SFF out, answers every DATA_B3_IND exactly once', async () => {
    peer = await RcapiPeer.start();
    const p = peer;
    transport = new RcapiTransport({ port: p.port });
    const registered = new Promise<[PeerConn]>((r) => p.once('register', (c) => r([c])));
    const session = await CapiSession.open(transport);
    const chunks: Buffer[] = [];
    const done = new Promise<FaxResult>((resolve) =>
      receiveFaxes(
        session,
        () => ({ action: 'accept', stationId: 'GW', onData: (c) => void chunks.push(Buffer.from(c)) }),
        {
          onResult: resolve,
        },
      ),
    );
    const got: CapiMessage[] = [];
    const [conn] = await registered;
    conn.applId = session.applId;
    p.on('message', (c, m) => {
      got.push(m);
      if (m.name === 'CONNECT_RESP') {
        p.send(c, { name: 'CONNECT_ACTIVE_IND', plci: PLCI });
        p.send(c, { name: 'CONNECT_B3_IND', ncci: NCCI });
      } else if (m.name === 'CONNECT_B3_RESP') {
        p.send(c, { name: 'CONNECT_B3_ACTIVE_IND', ncci: NCCI, ncpi: ncpi(0) });
        for (let h = 0; h < 10; h++) {
          p.send(c, { name: 'DATA_B3_IND', ncci: NCCI, dataHandle: 100 + h, data: Buffer.alloc(1000, h) });
        }
        p.send(c, { name: 'DISCONNECT_B3_IND', ncci: NCCI, reasonB3: 0, ncpi: ncpi(2) });
      } else if (m.name === 'DISCONNECT_B3_RESP') {
        p.send(c, { name: 'DISCONNECT_IND', plci: PLCI, reason: 0x3490 });
      }
    });
    const last = p.next('DISCONNECT_RESP');
    p.send(conn, {
      name: 'CONNECT_IND',
      plci: PLCI,
      cipValue: 4,
      calledPartyNumber: { typePlan: 0x80, digits: '100' },
      callingPartyNumber: { typePlan: 0x21, presentation: 0x80, digits: '301234' },
    });
    const r = await done;
    await last;
    expect(r).toMatchObject({ ok: true, pages: 2, bytes: 10_000, remoteStationId: '+49 30 999' });
    expect(Buffer.concat(chunks)).toEqual(
      Buffer.concat(Array.from({ length: 10 }, (_, h) => Buffer.alloc(1000, h))),
    );
    const resps = got
      .filter((m) => m.name === 'DATA_B3_RESP')
      .map((m) => (m.name === 'DATA_B3_RESP' ? m.dataHandle : 0));
    expect(resps).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    const order = got.map((m) => m.name).filter((n) => n !== 'DATA_B3_RESP');
    expect(order).toEqual([
      'CONNECT_RESP',
      'CONNECT_ACTIVE_RESP',
      'CONNECT_B3_RESP',
      'CONNECT_B3_ACTIVE_RESP',
      'DISCONNECT_B3_RESP',
      'DISCONNECT_RESP',
    ]);
    // DATA_B3_RESPs all before DISCONNECT_B3_RESP
    const idx = (n: string) => got.findIndex((m) => m.name === n);
    expect(got.findLastIndex((m) => m.name === 'DATA_B3_RESP')).toBeLessThan(idx('DISCONNECT_B3_RESP'));
  });

  it('rejects with the decided reason and answers the DISCONNECT_IND', async () => {
    peer = await RcapiPeer.start();
    const p = peer;
    transport = new RcapiTransport({ port: p.port });
    const registered = new Promise<[PeerConn]>((r) => p.once('register', (c) => r([c])));
    const session = await CapiSession.open(transport);
    receiveFaxes(session, () => ({ action: 'reject', reject: 3 }));
    const [conn] = await registered;
    conn.applId = session.applId;
    const resp = p.next('CONNECT_RESP');
    p.send(conn, { name: 'CONNECT_IND', plci: PLCI, cipValue: 1 });
    const [, m] = await resp;
    expect(m.reject).toBe(3);
    const dresp = p.next('DISCONNECT_RESP');
    p.send(conn, { name: 'DISCONNECT_IND', plci: PLCI, reason: 0x3491 });
    expect((await dresp)[1].plci).toBe(PLCI);
  });
});
