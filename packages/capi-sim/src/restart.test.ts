// stopServing()/restart(): the remote-CAPI server goes away (connections closed, port refused)
// and comes back on the same port with the exchange's state kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './simulator.js';
import { TestClient } from './test-support/client.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ timeFactor: 0 });
});
afterAll(() => sim.close());

describe('stop serving and restart on the same port', () => {
  it('closes every connection, refuses new ones, then serves again on the same port', async () => {
    const port = sim.port;
    const app = await TestClient.register(port);
    const conf = await app.request(
      { name: 'LISTEN_REQ', controller: 1, infoMask: 0, cipMask: 1 << 4 },
      'LISTEN_CONF',
    );
    expect(conf.info).toBe(0);
    const info = await TestClient.connect(port);

    await sim.stopServing();
    expect(sim.serving).toBe(false);
    await app.waitClosed();
    await info.waitClosed();
    await expect(TestClient.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Nobody listens while the server is away: the caller hears "no listener".
    const lost = await sim.injectCall({ from: '0891234567', to: '3001', service: 'audio' });
    expect(lost.outcome).toBe('no-listener');
    expect(sim.counters.connections.open).toBe(0);

    await sim.restart();
    expect(sim.serving).toBe(true);
    expect(sim.port).toBe(port);
    const again = await TestClient.register(port);
    await again.request({ name: 'LISTEN_REQ', controller: 1, infoMask: 0, cipMask: 1 << 4 }, 'LISTEN_CONF');
    const offered = sim.injectCall({ from: '0891234567', to: '3001', service: 'audio' });
    const ind = await again.nextWhere((m) => m.name === 'CONNECT_IND');
    if (ind.name !== 'CONNECT_IND') throw new Error('expected CONNECT_IND');
    again.send({ name: 'CONNECT_RESP', plci: ind.plci, reject: 3 });
    const disc = await again.nextWhere((m) => m.name === 'DISCONNECT_IND');
    if (disc.name === 'DISCONNECT_IND') again.send({ name: 'DISCONNECT_RESP', plci: disc.plci });
    expect((await offered).outcome).toBe('rejected');
    // The exchange kept its records across the restart.
    expect(sim.calls.map((c) => c.outcome)).toEqual(expect.arrayContaining(['no-listener', 'rejected']));
    await again.close();
  });

  it('is a no-op when repeated', async () => {
    await sim.restart();
    await sim.stopServing();
    await sim.stopServing();
    await sim.restart();
    const c = await TestClient.connect(sim.port);
    await c.close();
  });
});
