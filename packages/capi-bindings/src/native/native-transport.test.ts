import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChildEvent, capiHome, NativeChild } from '../test-support/native-child-client.js';
import { dataB3Req, dataB3Resp, listenReq, parse } from '../test-support/raw-messages.js';
import { RcapiPeer } from '../test-support/rcapi-peer.js';

// The test peer where the test needs to see or shape the bytes on the wire; the cases
// against the simulated exchange are in capi-sim (src/clients/native-transport.test.ts).
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

describe('NativeTransport over the real libcapi20 and a real rcapi socket', () => {
  it('registers, does a LISTEN_REQ and a DATA_B3 round trip in the 30-byte layout, and releases', async () => {
    const c = child();
    await c.call('open');
    const registered = server.nextRegistration();
    const { applId } = await c.call<{ applId: number }>('register', {
      maxLogicalConnection: 2,
      maxBDataBlocks: 7,
      maxBDataLen: 2048,
    });
    expect((await registered).register).toEqual({
      maxLogicalConnection: 2,
      maxBDataBlocks: 7,
      maxBDataLen: 2048,
    });

    const listenSeen = server.nextMessage(0x05, 0x80);
    await c.call('put', { applId, raw: listenReq(applId, 1).toString('hex') });
    expect((await listenSeen).msg).toEqual(listenReq(applId, 1));
    const conf = parse((await c.waitEvent(isMsg(0x05, 0x81))).raw!);
    expect(conf).toMatchObject({ applId, msgNum: 1, totalLength: 14 });

    const payload = Buffer.from('HELLO-FROM-APP');
    const ncci = 0x010101;
    const reqSeen = server.nextMessage(0x86, 0x80);
    await c.call('put', {
      applId,
      raw: dataB3Req(applId, 2, ncci, payload.length, 0x1234).toString('hex'),
      data: payload.toString('hex'),
    });
    const req = await reqSeen;
    expect(req.data).toEqual(payload);
    expect(req.msg.readUInt16LE(0)).toBe(30);
    expect(req.msg.readUInt16LE(18)).toBe(0x1234);

    const dataConf = parse((await c.waitEvent(isMsg(0x86, 0x81))).raw!);
    expect(dataConf.raw.readUInt16LE(12)).toBe(0x1234);
    const ind = await c.waitEvent(isMsg(0x86, 0x82));
    const indMsg = parse(ind.raw!);
    // 64-bit: the library hands DATA_B3_IND over in the 30-byte form; the addon has copied
    // the data (through Data64) and zeroed the pointer fields.
    expect(indMsg.totalLength).toBe(30);
    expect(indMsg.raw.readUInt32LE(12)).toBe(0);
    expect(indMsg.raw.readBigUInt64LE(22)).toBe(0n);
    expect(Buffer.from(ind.data!, 'hex').toString()).toBe('ECHO:HELLO-FROM-APP');
    expect(indMsg.raw.readUInt16LE(16)).toBe(19);

    const libHandle = indMsg.raw.readUInt16LE(18);
    const respSeen = server.nextMessage(0x86, 0x83);
    await c.call('put', { applId, raw: dataB3Resp(applId, 3, ncci, libHandle).toString('hex') });
    const resp = await respSeen;
    // the library translated its buffer index back to the server's handle
    expect(resp.conn.unanswered.size).toBe(0);
    expect(resp.conn.answered).toHaveLength(1);

    const closed = new Promise<void>((resolve) => resp.conn.socket.once('close', () => resolve()));
    await c.call('release', { applId });
    await closed;
  });
});
