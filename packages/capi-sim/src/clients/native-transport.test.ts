// capi-bindings' NativeTransport (the real libcapi20, in a child process) against capi-sim:
// what a well-behaved server does. The byte-level cases against the test peer stay in
// capi-bindings (src/native/native-transport.test.ts).
import fs from 'node:fs';
import {
  type ChildEvent,
  capiHome,
  listenReq,
  NativeChild,
  parse,
} from '@faxgate/capi-bindings/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';

let sim: Simulator;
let simHome: string;
const children: NativeChild[] = [];

function child(env: NodeJS.ProcessEnv = {}, h = simHome): NativeChild {
  const c = new NativeChild({ home: h, env });
  children.push(c);
  return c;
}

const isMsg = (cmd: number, sub: number) => (e: ChildEvent) =>
  e.event === 'message' && parse(e.raw!).cmd === cmd && parse(e.raw!).sub === sub;

beforeAll(async () => {
  sim = await startSimulator();
  simHome = capiHome(sim.port);
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    const exit = await c.end();
    expect(exit, `child stderr: ${c.stderr.join('')}`).toEqual({ code: 0, signal: null });
  }
});

afterAll(async () => {
  await sim.close();
  fs.rmSync(simHome, { recursive: true, force: true });
});

describe('NativeTransport over the real libcapi20 and capi-sim', () => {
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
