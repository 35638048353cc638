// Info codes for messages in the wrong state or with bad parameters, and B-protocol checks
// against the (run-time changeable) profile.
import { faxBProtocol } from '@faxgate/capi-bindings';
import { writeSff } from '@faxgate/fax-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';
import { TestClient } from '../test-support/client.js';
import { FAX_B, testPage } from '../test-support/fax-app.js';

let sim: Simulator;
let c: TestClient;
beforeAll(async () => {
  sim = await startSimulator();
  c = await TestClient.register(sim.port, 2, 7, 2048);
});
afterAll(async () => {
  await c.close();
  await sim.close();
});

const connect = (b = FAX_B, controller = 1, to = '5551000') =>
  c.request(
    {
      name: 'CONNECT_REQ',
      controller,
      cipValue: 4,
      calledPartyNumber: { typePlan: 0x80, digits: to },
      bProtocol: b,
    },
    'CONNECT_CONF',
  );

/** A connected fax call with B3 active. */
async function activeCall() {
  const conf = await connect();
  expect(conf.info).toBe(0);
  await c.next('CONNECT_ACTIVE_IND', (m) => m.plci === conf.plci);
  c.send({ name: 'CONNECT_ACTIVE_RESP', plci: conf.plci });
  const b3 = await c.request({ name: 'CONNECT_B3_REQ', plci: conf.plci }, 'CONNECT_B3_CONF');
  await c.next('CONNECT_B3_ACTIVE_IND', (m) => m.ncci === b3.ncci);
  c.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci: b3.ncci });
  return { plci: conf.plci, ncci: b3.ncci };
}

async function hangUp(plci: number) {
  const d = await c.request({ name: 'DISCONNECT_REQ', plci }, 'DISCONNECT_CONF');
  expect(d.info).toBe(0);
  for (;;) {
    const m = await c.nextWhere((x) => x.name === 'DISCONNECT_IND' || x.name === 'DISCONNECT_B3_IND');
    if (m.name === 'DISCONNECT_B3_IND') c.send({ name: 'DISCONNECT_B3_RESP', ncci: m.ncci });
    if (m.name === 'DISCONNECT_IND' && m.plci === plci) {
      c.send({ name: 'DISCONNECT_RESP', plci });
      return m.reason;
    }
  }
}

describe('B protocol checks', () => {
  it('refuses protocols the profile lacks (0x3001/0x3002/0x3003)', async () => {
    expect((await connect({ b1: 2, b2: 1, b3: 0 })).info).toBe(0x3001);
    expect((await connect({ b1: 1, b2: 7, b3: 0 })).info).toBe(0x3002);
    expect((await connect({ b1: 1, b2: 1, b3: 7 })).info).toBe(0x3003);
  });

  it('refuses fax B1 with a non-fax B2/B3 (0x3007)', async () => {
    expect((await connect({ b1: 4, b2: 1, b3: 0 })).info).toBe(0x3007);
    expect((await connect({ b1: 1, b2: 1, b3: 4 })).info).toBe(0x3007);
  });

  it('checks config lengths and fax configs', async () => {
    expect((await connect({ ...FAX_B, b1Config: new Uint8Array(16) })).info).toBe(0x3004);
    expect((await connect({ ...FAX_B, b3Config: new Uint8Array(80) })).info).toBe(0x3006);
    expect((await connect({ ...FAX_B, b1Config: Uint8Array.of(0x39, 0x05) })).info).toBe(0x3004); // 1337 bit/s
    const tiff = faxBProtocol({ b3: 4, resolution: 0, format: 4, stationId: 'x', headLine: '' });
    expect((await connect(tiff)).info).toBe(0x3006);
    expect((await connect({ ...FAX_B, b3Config: Uint8Array.of(1, 0, 0) })).info).toBe(0x2007);
  });

  it('follows a profile change at run time', async () => {
    sim.setProfile(1, { b3: 0x01 });
    expect((await connect()).info).toBe(0x3003);
    sim.setProfile(1, { b3: 0x31 });
    const ok = await connect();
    expect(ok.info).toBe(0);
    await c.next('CONNECT_ACTIVE_IND', (m) => m.plci === ok.plci);
    c.send({ name: 'CONNECT_ACTIVE_RESP', plci: ok.plci });
    expect(await hangUp(ok.plci)).toBe(0x3490);
  });

  it('refuses an unknown controller with 0x2002', async () => {
    expect((await connect(FAX_B, 3)).info).toBe(0x2002);
    expect((await connect(FAX_B, 0)).info).toBe(0x2002);
  });
});

describe('messages in the wrong state', () => {
  it('CONNECT_B3_REQ before CONNECT_ACTIVE_RESP is 0x2001; on an unknown PLCI 0x2002', async () => {
    const conf = await connect();
    await c.next('CONNECT_ACTIVE_IND', (m) => m.plci === conf.plci);
    expect((await c.request({ name: 'CONNECT_B3_REQ', plci: conf.plci }, 'CONNECT_B3_CONF')).info).toBe(
      0x2001,
    );
    expect((await c.request({ name: 'CONNECT_B3_REQ', plci: 0x7701 }, 'CONNECT_B3_CONF')).info).toBe(0x2002);
    c.send({ name: 'CONNECT_ACTIVE_RESP', plci: conf.plci });
    expect(await hangUp(conf.plci)).toBe(0x3490);
  });

  it('DATA_B3_REQ on an unknown NCCI is 0x2002, too long 0x300C, after DISCONNECT_B3_REQ 0x2001', async () => {
    const { plci, ncci } = await activeCall();
    const data = new Uint8Array(10);
    const bad = await c.request(
      { name: 'DATA_B3_REQ', ncci: ncci + 0x10000, data, dataHandle: 1 },
      'DATA_B3_CONF',
    );
    expect(bad).toMatchObject({ info: 0x2002, dataHandle: 1 });
    const long = await c.request(
      { name: 'DATA_B3_REQ', ncci, data: new Uint8Array(2049), dataHandle: 2 },
      'DATA_B3_CONF',
    );
    expect(long.info).toBe(0x300c);
    const sff = writeSff([testPage(1, 30)]);
    const ok = await c.request({ name: 'DATA_B3_REQ', ncci, data: sff, dataHandle: 3 }, 'DATA_B3_CONF');
    expect(ok).toMatchObject({ info: 0, dataHandle: 3 });
    expect((await c.request({ name: 'DISCONNECT_B3_REQ', ncci }, 'DISCONNECT_B3_CONF')).info).toBe(0);
    const late = await c.request({ name: 'DATA_B3_REQ', ncci, data, dataHandle: 4 }, 'DATA_B3_CONF');
    expect(late.info).toBe(0x2001);
    expect((await c.request({ name: 'DISCONNECT_B3_REQ', ncci }, 'DISCONNECT_B3_CONF')).info).toBe(0x2001);
    const end = await c.next('DISCONNECT_B3_IND', (m) => m.ncci === ncci);
    expect(end.reasonB3).toBe(0);
    c.send({ name: 'DISCONNECT_B3_RESP', ncci });
    // After the RESP the NCCI is gone.
    expect((await c.request({ name: 'DISCONNECT_B3_REQ', ncci }, 'DISCONNECT_B3_CONF')).info).toBe(0x2002);
    expect(await hangUp(plci)).toBe(0x3490);
  });

  it('more blocks than MaxBDataBlocks outstanding: 0x1103 for the excess', async () => {
    const small = await TestClient.register(sim.port, 1, 2, 2048);
    const conf = await small.request(
      {
        name: 'CONNECT_REQ',
        controller: 1,
        cipValue: 4,
        calledPartyNumber: { typePlan: 0x80, digits: '5551001' },
        bProtocol: FAX_B,
      },
      'CONNECT_CONF',
    );
    await small.next('CONNECT_ACTIVE_IND');
    small.send({ name: 'CONNECT_ACTIVE_RESP', plci: conf.plci });
    const b3 = await small.request({ name: 'CONNECT_B3_REQ', plci: conf.plci }, 'CONNECT_B3_CONF');
    await small.next('CONNECT_B3_ACTIVE_IND');
    small.send({ name: 'CONNECT_B3_ACTIVE_RESP', ncci: b3.ncci });
    // Slow the line so blocks stay queued: time factor 1 for a moment.
    sim.setTimeFactor(1);
    const sff = writeSff([testPage(1, 600)]);
    for (let h = 0; h < 3; h++) {
      small.send({
        name: 'DATA_B3_REQ',
        ncci: b3.ncci,
        data: sff.subarray(h * 100, h * 100 + 100),
        dataHandle: h,
      });
    }
    const third = await small.next('DATA_B3_CONF', (m) => m.dataHandle === 2);
    sim.setTimeFactor(0);
    expect(third.info).toBe(0x1103);
    await small.close();
  });

  it('DISCONNECT_REQ twice is 0x2001; ALERT_REQ on an outgoing call 0x2001; FACILITY 0x300B; RESET_B3 0x300D', async () => {
    const { plci, ncci } = await activeCall();
    expect((await c.request({ name: 'ALERT_REQ', plci }, 'ALERT_CONF')).info).toBe(0x2001);
    expect(
      (await c.request({ name: 'FACILITY_REQ', address: plci, facilitySelector: 1 }, 'FACILITY_CONF')).info,
    ).toBe(0x300b);
    expect((await c.request({ name: 'RESET_B3_REQ', ncci }, 'RESET_B3_CONF')).info).toBe(0x300d);
    expect((await c.request({ name: 'DISCONNECT_REQ', plci }, 'DISCONNECT_CONF')).info).toBe(0);
    expect((await c.request({ name: 'DISCONNECT_REQ', plci }, 'DISCONNECT_CONF')).info).toBe(0x2001);
    const b3 = await c.next('DISCONNECT_B3_IND', (m) => m.ncci === ncci);
    expect(b3.reasonB3).toBe(0x3318);
    c.send({ name: 'DISCONNECT_B3_RESP', ncci });
    const d = await c.next('DISCONNECT_IND', (m) => m.plci === plci);
    c.send({ name: 'DISCONNECT_RESP', plci });
    expect(d.reason).toBe(0x3490);
  });

  it('another application cannot touch a call it does not own (0x2002)', async () => {
    const { plci, ncci } = await activeCall();
    const intruder = await TestClient.register(sim.port);
    expect((await intruder.request({ name: 'DISCONNECT_REQ', plci }, 'DISCONNECT_CONF')).info).toBe(0x2002);
    const data = new Uint8Array(4);
    expect(
      (await intruder.request({ name: 'DATA_B3_REQ', ncci, data, dataHandle: 9 }, 'DATA_B3_CONF')).info,
    ).toBe(0x2002);
    await intruder.close();
    expect(await hangUp(plci)).toBe(0x3490);
  });

  it('a line drop clears active calls with 0x3301', async () => {
    const { plci, ncci } = await activeCall();
    expect(sim.dropLines(1)).toBe(1);
    const b3 = await c.next('DISCONNECT_B3_IND', (m) => m.ncci === ncci);
    expect(b3.reasonB3).toBe(0x3301);
    c.send({ name: 'DISCONNECT_B3_RESP', ncci });
    const d = await c.next('DISCONNECT_IND', (m) => m.plci === plci);
    expect(d.reason).toBe(0x3301);
    c.send({ name: 'DISCONNECT_RESP', plci });
    expect(sim.channelsBusy()).toEqual([0, 0]);
  });
});
