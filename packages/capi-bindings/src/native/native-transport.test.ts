import fs from 'node:fs';
import { type Simulator, startSimulator } from '@faxgate/capi-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dataB3Req, dataB3Resp, listenReq, parse } from './test-support/messages.js';
import { type ChildEvent, capiHome, NativeChild } from './test-support/native-child-client.js';
import { RcapiTestServer } from './test-support/rcapi-test-server.js';

// capi-sim (the simulated exchange) for what a well-behaved server does; the small test
// server where the test needs to see or shape the bytes on the wire.
let sim: Simulator;
let simHome: string;
let server: RcapiTestServer;
let home: string;
const children: NativeChild[] = [];

function child(env: NodeJS.ProcessEnv = {}, h = home): NativeChild {
  const c = new NativeChild({ home: h, env });
  children.push(c);
  return c;
}

const isMsg = (cmd: number, sub: number) => (e: ChildEvent) =>
  e.event === 'message' && parse(e.raw!).cmd === cmd && parse(e.raw!).sub === sub;

beforeAll(async () => {
  sim = await startSimulator();
  simHome = capiHome(sim.port);
  server = await RcapiTestServer.start();
  home = capiHome(server.port);
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    const exit = await c.end();
    expect(exit, `child stderr: ${c.stderr.join('')}`).toEqual({ code: 0, signal: null });
  }
});

afterAll(async () => {
  await server.stop();
  await sim.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(simHome, { recursive: true, force: true });
});

describe('NativeTransport over the real libcapi20 and a real rcapi socket', () => {
  it('answers isInstalled and the info calls from capi-sim', async () => {
    const c = child({}, simHome);
    await c.call('open');
    expect(await c.call('isInstalled')).toBe(true);
    expect(await c.call('getManufacturer', { controller: 1 })).toBe(sim.config.manufacturer);
    expect(await c.call('getSerialNumber', { controller: 1 })).toBe(sim.config.serial);
    expect(await c.call('getVersion', { controller: 1 })).toEqual({
      capiMajor: sim.config.version.capiMajor,
      capiMinor: sim.config.version.capiMinor,
      manufacturerMajor: sim.config.version.manuMajor,
      manufacturerMinor: sim.config.version.manuMinor,
    });
    const profile = Buffer.from(await c.call<string>('getProfile', { controller: 1 }), 'hex');
    expect(profile).toHaveLength(64);
    expect(profile.readUInt16LE(0)).toBe(sim.config.controllers.length);
    expect(profile.readUInt16LE(2)).toBe(sim.config.controllers[0]!.bChannels);
    expect(profile.readUInt32LE(16)).toBe(sim.profile(1).b3);
    await expect(c.call('getProfile', { controller: 9 })).rejects.toMatchObject({
      error: { code: 'ERR_CAPI_INFO' },
    });
  });

  it('does a LISTEN_REQ round trip with capi-sim and releases', async () => {
    const c = child({}, simHome);
    await c.call('open');
    const { applId } = await c.call<{ applId: number }>('register', {
      maxLogicalConnection: 2,
      maxBDataBlocks: 7,
      maxBDataLen: 2048,
    });
    expect(applId).toBeGreaterThan(0);
    await c.call('put', { applId, raw: listenReq(applId, 0x4711).toString('hex') });
    const conf = parse((await c.waitEvent(isMsg(0x05, 0x81))).raw!);
    expect(conf).toMatchObject({ applId, msgNum: 0x4711, totalLength: 14 });
    expect(conf.raw.readUInt16LE(12)).toBe(0); // Info
    await c.call('release', { applId });
  });

  it('registers, does a LISTEN_REQ and a DATA_B3 round trip in the 30-byte layout, and releases', async () => {
    const c = child();
    await c.call('open');
    const registered = server.nextRegistration();
    const { applId } = await c.call<{ applId: number }>('register', {
      maxLogicalConnection: 2,
      maxBDataBlocks: 7,
      maxBDataLen: 2048,
    });
    expect((await registered).registration).toEqual({
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

  it('survives a capi-sim restart: the application goes down once, info calls recover (P6, P8)', async () => {
    const c = child({}, simHome);
    await c.call('open');
    const { applId } = await c.call<{ applId: number }>('register', {
      maxLogicalConnection: 1,
      maxBDataBlocks: 7,
      maxBDataLen: 2048,
    });
    expect(await c.call('getSerialNumber', { controller: 1 })).toBe(sim.config.serial);
    const port = sim.port;
    await sim.close();
    const down = await c.waitEvent((e) => e.event === 'down');
    expect(down.applId).toBe(applId);
    sim = await startSimulator({ port, serial: '7777777' });
    // the cached info socket is dead: the transport notices and reconnects
    expect(await c.call('getSerialNumber', { controller: 1 })).toBe('7777777');
    expect(Buffer.from(await c.call<string>('getProfile', { controller: 1 }), 'hex').readUInt16LE(0)).toBe(2);
    expect(c.events().filter((e) => e.event === 'down')).toHaveLength(1);
    await c.call('release', { applId });
  });
});
