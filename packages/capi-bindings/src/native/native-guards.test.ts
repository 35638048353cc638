/**
 * The pitfalls that abort or hang a libcapi20 client (capi-reference §7), each provoked
 * against the real library and a real rcapi socket. Every case runs in a child process: the
 * afterEach check that it exited normally (code 0) is the proof that the library did not abort.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../rcapi-wire/frame.js';
import { type ChildEvent, capiHome, NativeChild } from '../test-support/native-child-client.js';
import {
  capiMsg,
  dataB3Req,
  dataB3Resp,
  disconnectB3Resp,
  listenReq,
  parse,
} from '../test-support/raw-messages.js';
import { PEER_PROFILE, type PeerConn, RcapiPeer } from '../test-support/rcapi-peer.js';

let server: RcapiPeer;
let home: string;
const children: NativeChild[] = [];

function child(env: NodeJS.ProcessEnv = {}): NativeChild {
  const c = new NativeChild({ home, env });
  children.push(c);
  return c;
}

const isMsg = (cmd: number, sub: number) => (e: ChildEvent) =>
  e.event === 'message' && parse(e.raw!).cmd === cmd && parse(e.raw!).sub === sub;
const hex = (b: Buffer) => b.toString('hex');

/** A registered application in a fresh child, with the server side of its connection. */
async function registered(
  params = { maxLogicalConnection: 2, maxBDataBlocks: 7, maxBDataLen: 2048 },
  env: NodeJS.ProcessEnv = {},
): Promise<{ c: NativeChild; applId: number; fd: number; conn: PeerConn }> {
  const c = child(env);
  await c.call('open');
  const conn = server.nextRegistration();
  const r = await c.call<{ applId: number; fd: number }>('register', params);
  return { c, ...r, conn: await conn };
}

beforeAll(async () => {
  server = await RcapiPeer.start({ card: true });
  home = capiHome(server.port);
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    const exit = await c.end();
    expect(exit, `child stderr: ${c.stderr.join('')}`).toEqual({ code: 0, signal: null });
  }
});

afterAll(async () => {
  await server.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('loading', () => {
  it('names the Debian package libcapi20-3 when the library is missing', async () => {
    const c = child({ FAXGATE_LIBCAPI20: '/nonexistent/libcapi20.so.3' });
    const err = c.call('open');
    await expect(err).rejects.toThrow(/libcapi20-3/);
    await expect(err).rejects.toMatchObject({ error: { code: 'ERR_LIBCAPI20_MISSING' } });
  });

  it('says "native addon not built" when the addon is absent', async () => {
    const c = child({ FAXGATE_CAPI_ADDON: '/nonexistent/build/capi20.node' });
    await expect(c.call('open')).rejects.toThrow(/native addon not built/);
  });
});

describe('guards on the way to capi20_put_message', () => {
  it('refuses DATA_B3_REQ whose message + data exceed 2176 bytes (P5), then carries a full block', async () => {
    const { c, applId, conn } = await registered();
    const ncci = 0x010101;
    const tooBig = Buffer.alloc(2147, 0x55); // 30 + 2147 = 2177: the size that smashed the stack
    await expect(
      c.call('put', { applId, raw: hex(dataB3Req(applId, 1, ncci, tooBig.length, 1)), data: hex(tooBig) }),
    ).rejects.toMatchObject({ error: { code: 'ERR_CAPI_REFUSED', message: expect.stringMatching(/2176/) } });
    const overMax = Buffer.alloc(2049, 0x55); // fits 2176, but above MaxBDataLen
    await expect(
      c.call('put', { applId, raw: hex(dataB3Req(applId, 2, ncci, overMax.length, 2)), data: hex(overMax) }),
    ).rejects.toThrow(/MaxBDataLen/);
    await expect(
      c.call('put', { applId, raw: hex(dataB3Req(applId, 3, ncci, 10, 3)), data: hex(Buffer.alloc(9)) }),
    ).rejects.toThrow(/DataLength/);

    server.echo = false;
    try {
      const full = Buffer.alloc(2048);
      for (let i = 0; i < full.length; i++) full[i] = i & 0xff;
      const seen = server.nextMessage(0x86, 0x80);
      await c.call('put', {
        applId,
        raw: hex(dataB3Req(applId, 4, ncci, full.length, 4, 22)),
        data: hex(full),
      });
      expect((await seen).data).toEqual(full);
      expect(conn.socket.destroyed).toBe(false);
    } finally {
      server.echo = true;
    }
  });

  it('refuses DATA_B3_RESP with an unknown, repeated or late DataHandle (P3)', async () => {
    const { c, applId, conn } = await registered();
    const ncci = 0x010101;
    const unknown = c.call('put', { applId, raw: hex(dataB3Resp(applId, 1, ncci, 999)) });
    await expect(unknown).rejects.toMatchObject({ error: { code: 'ERR_CAPI_REFUSED' } });

    conn.sendDataInd(applId, ncci, Buffer.from('one'));
    const ind = parse((await c.waitEvent(isMsg(0x86, 0x82))).raw!);
    const handle = ind.raw.readUInt16LE(18);
    await expect(
      c.call('put', { applId, raw: hex(dataB3Resp(applId, 2, 0x020101, handle)) }),
    ).rejects.toThrow(/belongs to NCCI/);
    const answered = server.nextMessage(0x86, 0x83);
    await c.call('put', { applId, raw: hex(dataB3Resp(applId, 3, ncci, handle)) });
    await answered;
    await expect(c.call('put', { applId, raw: hex(dataB3Resp(applId, 4, ncci, handle)) })).rejects.toThrow(
      /does not hold/,
    );

    // late: a DISCONNECT_B3_RESP frees the NCCI's buffers inside the library
    conn.sendDataInd(applId, ncci, Buffer.from('two'));
    const ind2 = await c.waitEvent(
      (e) => isMsg(0x86, 0x82)(e) && Buffer.from(e.data!, 'hex').toString() === 'two',
    );
    const handle2 = parse(ind2.raw!).raw.readUInt16LE(18);
    await c.call('put', { applId, raw: hex(disconnectB3Resp(applId, 5, ncci)) });
    await expect(
      c.call('put', { applId, raw: hex(dataB3Resp(applId, 6, ncci, handle2)) }),
    ).rejects.toMatchObject({ error: { code: 'ERR_CAPI_REFUSED' } });
    expect(conn.answered).toHaveLength(1);
  });

  it("keeps two of libcapi20's receive buffers free and reads on after each DATA_B3_RESP", async () => {
    // register(1 connection, 1 block) gives 2 + 1 × (1 + 1) = 4 buffers (§5). Taking the last
    // one breaks the library's free list for good, so the addon reads while two are free.
    const { c, applId, conn } = await registered({
      maxLogicalConnection: 1,
      maxBDataBlocks: 1,
      maxBDataLen: 128,
    });
    const ncci = 0x010101;
    const block = (i: number) => (e: ChildEvent) =>
      isMsg(0x86, 0x82)(e) && Buffer.from(e.data!, 'hex').toString() === `block${i}`;
    const handleOf = (e: ChildEvent) => parse(e.raw!).raw.readUInt16LE(18);
    for (let i = 1; i <= 5; i++) conn.sendDataInd(applId, ncci, Buffer.from(`block${i}`));
    const first = await Promise.all([1, 2, 3].map((i) => c.waitEvent(block(i))));
    const stats = () =>
      c.call<{ paused: boolean; getMessageCalls: number; down: boolean }>('stats', { applId });
    while (!(await stats()).paused) await new Promise((r) => setImmediate(r));
    expect(await stats()).toMatchObject({ getMessageCalls: 3, down: false });
    expect(c.events().filter(isMsg(0x86, 0x82))).toHaveLength(3);

    await c.call('put', { applId, raw: hex(dataB3Resp(applId, 1, ncci, handleOf(first[0]!))) });
    const fourth = await c.waitEvent(block(4));
    await c.call('put', { applId, raw: hex(dataB3Resp(applId, 2, ncci, handleOf(first[1]!))) });
    const fifth = await c.waitEvent(block(5));
    expect(parse(fifth.raw!).totalLength).toBe(30);
    for (const [n, e] of [first[2]!, fourth, fifth].entries())
      await c.call('put', { applId, raw: hex(dataB3Resp(applId, 3 + n, ncci, handleOf(e))) });
    // the pool is intact: a sixth block still arrives
    conn.sendDataInd(applId, ncci, Buffer.from('block6'));
    await c.waitEvent(block(6));
    expect((await stats()).down).toBe(false);
  });
});

describe('the receive path', () => {
  it('reports a closed connection once as "down" and does not spin (P6)', async () => {
    const { c, applId, conn } = await registered();
    conn.socket.destroy();
    const down = await c.waitEvent((e) => e.event === 'down');
    expect(down.message).toMatch(/closed/);
    const before = await c.call<{ getMessageCalls: number; pollWakeups: number }>('stats', { applId });
    // Observation window as a failure bound: a busy loop would add thousands of wakeups.
    await new Promise((r) => setTimeout(r, 200));
    const after = await c.call<{ getMessageCalls: number; pollWakeups: number }>('stats', { applId });
    expect(after).toMatchObject({ getMessageCalls: before.getMessageCalls, pollWakeups: before.pollWakeups });
    await expect(c.call('put', { applId, raw: hex(listenReq(applId, 1)) })).rejects.toMatchObject({
      error: { code: 'ERR_CAPI_DOWN' },
    });
    expect(c.events().filter((e) => e.event === 'down')).toHaveLength(1);
    await c.call('release', { applId });
  });

  it('refuses a frame over 4096 bytes instead of letting libcapi20 smash its stack (P4)', async () => {
    const { c, applId, conn } = await registered();
    const big = capiMsg(applId, 0x05, 0x81, 1, Buffer.alloc(5000 - 8));
    big.writeUInt16LE(0, 0); // TotalLength cannot say 5000; the frame length does
    conn.sendFrame(big);
    const down = await c.waitEvent((e) => e.event === 'down');
    expect(down.message).toMatch(/4096/);
    await c.call('release', { applId });
  });

  it('refuses a DATA_B3_IND above MaxBDataLen that libcapi20 would move past its buffer', async () => {
    // buffer = max(2048, 128 + 128) = 2048; 22 + 2020 fits, but moved to offset 30 it would not
    const { c, applId, conn } = await registered({
      maxLogicalConnection: 1,
      maxBDataBlocks: 7,
      maxBDataLen: 128,
    });
    conn.sendDataInd(applId, 0x010101, Buffer.alloc(2020, 0x41));
    const down = await c.waitEvent((e) => e.event === 'down');
    expect(down.message).toMatch(/2020 data bytes exceeds MaxBDataLen 128/);
    expect(c.events().filter((e) => e.event === 'message')).toHaveLength(0);
    await c.call('release', { applId });
  });

  it('waits for the rest of a frame that arrives in pieces (P7)', async () => {
    const { c, applId, conn } = await registered();
    // a DATA_B3_IND split after 7 bytes; the rest follows later
    const body = Buffer.concat([capiMsg(applId, 0x86, 0x82, 9, Buffer.alloc(14)), Buffer.from('split')]);
    body.writeUInt32LE(0x010101, 8);
    body.writeUInt16LE(5, 16);
    body.writeUInt16LE(0x0999, 18);
    const frame = encodeFrame(body);
    conn.write(frame.subarray(0, 7));
    // the rest only once the addon has seen the partial frame and decided to wait for it
    const stats = () => c.call<{ partialWaits: number; down: boolean }>('stats', { applId });
    while ((await stats()).partialWaits === 0) await new Promise((r) => setImmediate(r));
    expect(c.events().filter((e) => e.event === 'message')).toHaveLength(0);
    conn.write(frame.subarray(7));
    const ind = await c.waitEvent((e) => isMsg(0x86, 0x82)(e));
    expect(Buffer.from(ind.data!, 'hex').toString()).toBe('split');
    expect((await stats()).down).toBe(false);
    await c.call('put', {
      applId,
      raw: hex(dataB3Resp(applId, 8, 0x010101, parse(ind.raw!).raw.readUInt16LE(18))),
    });
  });

  it('works with a socket fd >= 1024: uv_poll receives, waitForMessage uses poll(), never select() (P2)', async () => {
    const c = child();
    const highest = await c.call<number>('openFds', { count: 1100 });
    expect(highest).toBeGreaterThanOrEqual(1024);
    await c.call('open');
    const { applId, fd } = await c.call<{ applId: number; fd: number }>('register', {
      maxLogicalConnection: 1,
      maxBDataBlocks: 7,
      maxBDataLen: 2048,
    });
    expect(fd).toBeGreaterThanOrEqual(1024);
    await c.call('put', { applId, raw: hex(listenReq(applId, 1)) });
    const conf = await c.waitEvent(isMsg(0x05, 0x81));
    expect(parse(conf.raw!).applId).toBe(applId);
    expect(await c.call('waitForMessage', { applId, timeoutMs: 10 })).toBe(0x1104); // nothing queued
    await c.call('release', { applId });
  });
});

describe('info connection', () => {
  it('recovers from a stale info socket after the server restarted (P8)', async () => {
    const c = child();
    await c.call('open');
    expect(await c.call('getSerialNumber', { controller: 1 })).toBeTypeOf('string');
    const port = server.port;
    await server.close();
    server = await RcapiPeer.start({ card: true }, port);
    const cycle = server.nextRegistration(); // the register + release that closes the dead socket
    expect(await c.call('getProfile', { controller: 1 })).toBe(Buffer.from(PEER_PROFILE).toString('hex'));
    await cycle;
    expect(await c.call('getManufacturer', { controller: 1 })).toBeTypeOf('string');
  });

  it('bounds a call the server never answers, while the event loop keeps running (P9)', async () => {
    const accepted: net.Socket[] = [];
    const silent = net.createServer((sock) => {
      sock.on('error', () => {});
      accepted.push(sock);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentHome = capiHome((silent.address() as net.AddressInfo).port);
    try {
      const c = new NativeChild({ home: silentHome });
      children.push(c);
      await c.call('open', { callTimeoutMs: 300 });
      const reg = c.call('register', { maxLogicalConnection: 1, maxBDataBlocks: 7, maxBDataLen: 2048 });
      // while libcapi20 waits in recv on the CAPI thread, JavaScript in the child still answers
      expect(await c.call('pid')).toBeTypeOf('number');
      await expect(reg).rejects.toMatchObject({ error: { code: 'ERR_CAPI_TIMEOUT' } });
      // the server goes away: the stuck call returns, and the next call fails fast instead of queueing
      silent.close();
      for (const s of accepted) s.destroy();
      await expect(c.call('getProfile', { controller: 1 })).rejects.toMatchObject({
        error: { code: 'ERR_CAPI_INFO' },
      });
    } finally {
      silent.close();
      fs.rmSync(silentHome, { recursive: true, force: true });
    }
  });
});
