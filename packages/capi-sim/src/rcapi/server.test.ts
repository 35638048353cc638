import { encodeFrame, RcapiFunction as F, infoRequest } from '@faxgate/capi-bindings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';
import { TestClient } from '../test-support/client.js';
import { waitFor } from '../test-support/wait.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ serial: '7654321', manufacturer: 'Test card' });
});
afterAll(() => sim.close());

describe('rcapi functions', () => {
  it('answers manufacturer, version, serial and profile like libcapi20 expects', async () => {
    const c = await TestClient.connect(sim.port);
    const manu = await c.func(F.GET_MANUFACTURER_REQ);
    expect(manu.subarray(4, 6)).toEqual(Buffer.from([0xfb, 0xff]));
    expect(manu[8]).toBe(64);
    expect(manu.subarray(9, 9 + 9).toString('latin1')).toBe('Test card');
    expect(manu.length).toBeLessThanOrEqual(100);

    const ver = await c.func(F.GET_VERSION_REQ);
    expect(ver.subarray(4, 6)).toEqual(Buffer.from([0xfd, 0xff]));
    expect([ver.readUInt32LE(9), ver.readUInt32LE(13)]).toEqual([2, 0]);

    const serial = await c.func(F.GET_SERIAL_NUMBER_REQ);
    expect(serial.subarray(9, 16).toString('latin1')).toBe('7654321');

    const p1 = await c.func(F.GET_PROFILE_REQ, 1);
    expect(p1.subarray(4, 6)).toEqual(Buffer.from([0xe1, 0xff]));
    expect(p1.readUInt16LE(8)).toBe(0);
    expect(p1.readUInt16LE(10)).toBe(2); // controllers
    expect(p1.readUInt16LE(12)).toBe(2); // B channels
    expect(p1.readUInt32LE(10 + 16)).toBe(0x31); // B3: transparent, fax G3, fax G3 ext
    expect(p1.length).toBeLessThanOrEqual(100);

    const bad = await c.func(F.GET_PROFILE_REQ, 9);
    expect(bad.readUInt16LE(8)).toBe(0x2002);
    await c.close();
  });

  it('changes a profile at run time between two reads', async () => {
    const c = await TestClient.connect(sim.port);
    sim.setProfile(2, { b3: 0x11 });
    const p = await c.func(F.GET_PROFILE_REQ, 2);
    expect(p.readUInt32LE(10 + 16)).toBe(0x11);
    sim.setProfile(2, { b3: 0x31 });
    const q = await c.func(F.GET_PROFILE_REQ, 2);
    expect(q.readUInt32LE(10 + 16)).toBe(0x31);
    await c.close();
  });

  it('registers and answers LISTEN_REQ', async () => {
    const c = await TestClient.register(sim.port);
    const conf = await c.request(
      { name: 'LISTEN_REQ', controller: 1, infoMask: 0x1ff, cipMask: 0x1fff03ff },
      'LISTEN_CONF',
    );
    expect(conf.info).toBe(0);
    const bad = await c.request(
      { name: 'LISTEN_REQ', controller: 5, infoMask: 0, cipMask: 1 },
      'LISTEN_CONF',
    );
    expect(bad.info).toBe(0x2002);
    await c.close();
  });
});

describe('hostile clients', () => {
  const alive = async () => {
    const c = await TestClient.connect(sim.port);
    const r = await c.func(F.GET_SERIAL_NUMBER_REQ);
    await c.close();
    return r.subarray(9, 16).toString('latin1');
  };

  it('closes on a frame length below the header', async () => {
    const c = await TestClient.connect(sim.port);
    c.raw(Buffer.from([0x00, 0x03, 0xaa]));
    await c.waitClosed();
    expect(await alive()).toBe('7654321');
  });

  it('closes on a frame over 4096 bytes', async () => {
    const c = await TestClient.connect(sim.port);
    const f = Buffer.alloc(5000);
    f.writeUInt16BE(5000, 0);
    c.raw(f);
    await c.waitClosed();
    expect(await alive()).toBe('7654321');
  });

  it('closes on an unknown function and on a stream cut inside a frame, counting protocol errors', async () => {
    const before = sim.counters.protocolErrors;
    const c = await TestClient.connect(sim.port);
    c.frame(Buffer.from('00000000 12ff 0000 00000000'.replace(/ /g, ''), 'hex'));
    await c.waitClosed();
    expect(sim.counters.protocolErrors).toBe(before + 1);
    const d = await TestClient.connect(sim.port);
    d.raw(Buffer.from([0x00, 0x20, 0x01, 0x02]));
    await new Promise((r) => d.socket.write(Buffer.alloc(0), r));
    await d.close();
    await waitFor(() => sim.counters.protocolErrors === before + 2);
    expect(await alive()).toBe('7654321');
  });

  it('waits for the rest of a half frame, then answers it', async () => {
    const c = await TestClient.connect(sim.port);
    const msg = encodeFrame(infoRequest(F.GET_SERIAL_NUMBER_REQ, 0));
    c.raw(msg.subarray(0, 5));
    // the rest in a second write
    await new Promise((r) => c.socket.write(Buffer.alloc(0), r));
    c.raw(msg.subarray(5));
    const reply = await (c as unknown as { nextFunctionReply(): Promise<Buffer> }).nextFunctionReply();
    expect(reply.subarray(9, 16).toString('latin1')).toBe('7654321');
    await c.close();
  });

  it('closes when CAPI messages come before REGISTER', async () => {
    const c = await TestClient.connect(sim.port);
    c.send({ name: 'LISTEN_REQ', controller: 1, infoMask: 0, cipMask: 0x10 });
    await c.waitClosed();
    expect(sim.counters.protocolErrors).toBeGreaterThan(0);
  });

  it('survives random garbage from many clients', async () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 40; i++) {
      const c = await TestClient.connect(sim.port);
      if (i % 2) await c.registerRaw(2, 7, 2048);
      const n = 1 + (rnd() % 600);
      const junk = Buffer.alloc(n);
      for (let k = 0; k < n; k++) junk[k] = rnd() & 0xff;
      // Give half of them a plausible frame length so the junk reaches the message decoder.
      if (i % 4 < 2 && n >= 12) junk.writeUInt16BE(n, 0);
      c.raw(junk);
      await c.close();
    }
    expect(await alive()).toBe('7654321');
  });

  it('answers an undecodable REQ with 0x2007 and keeps the connection', async () => {
    const c = await TestClient.register(sim.port);
    // CONNECT_REQ whose BProtocol struct claims more bytes than the message has.
    const m = Buffer.from([0x13, 0, 1, 0, 0x02, 0x80, 0x05, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0x20]);
    c.frame(m);
    const conf = await c.next('CONNECT_CONF', (x) => x.messageNumber === 5);
    expect(conf.info).toBe(0x2007);
    expect(c.closed).toBe(false);
    await c.close();
  });
});
