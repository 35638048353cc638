import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../simulator.js';

// Frames captured from libcapi20's fritzbox module (capi-reference §4.2).
const REGISTER = Buffer.from('801400' + '1400000020800100' + '020009000006020007000008', 'hex');
// (the document shows 16 of the 18 body bytes; the library sends 18)
const GET_PROFILE = Buffer.from('801200' + '1200000020800100' + '02000502000201000000', 'hex');
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ fritzboxPort: 0 });
});
afterAll(() => sim.close());

function talk(bytes: Buffer): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(sim.fritzboxPort!, '127.0.0.1', () => s.write(bytes));
    let data = Buffer.alloc(0);
    s.on('data', (d) => {
      data = Buffer.concat([data, d]);
      if (data.length >= 2 && data.length >= 2 + data[1]) {
        s.destroy();
        resolve({ data, closed: false });
      }
    });
    s.on('close', () => resolve({ data, closed: true }));
  });
}

it('hands out an ApplID on REGISTER in the reply layout libcapi20 reads', async () => {
  const { data } = await talk(REGISTER);
  expect(data[0]).toBe(0x80);
  expect(data[1]).toBe(18);
  const body = data.subarray(2);
  expect(body.readUInt16LE(2)).toBeGreaterThanOrEqual(1); // ApplID
  expect(body.readUInt16LE(16)).toBe(0); // Info
});

it('answers GET_PROFILE with the profile at body[18]', async () => {
  const { data } = await talk(GET_PROFILE);
  const body = data.subarray(2);
  expect(body.length).toBe(82);
  expect(body.readUInt16LE(18)).toBe(2); // controllers
  expect(body.readUInt32LE(18 + 16)).toBe(0x31); // B3 support
});

it('closes a connection whose frame does not start with 0x80, and keeps serving', async () => {
  expect((await talk(Buffer.from('7f0a00000000000000000000', 'hex'))).closed).toBe(true);
  const { data } = await talk(GET_PROFILE);
  expect(data.length).toBe(84);
});
