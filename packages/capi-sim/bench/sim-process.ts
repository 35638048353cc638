// The simulator in its own process, so the benchmark can read its CPU time alone.
import { startSimulator } from '../src/index.js';

const sim = await startSimulator({
  controllers: [1, 2, 3, 4].map((i) => ({ bChannels: 30, msns: [`${i}00`] })),
  timeFactor: 0,
  traceSize: 0,
});
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'cpu') process.send?.({ cpu: process.cpuUsage(), counters: sim.counters });
  if (m.cmd === 'exit') void sim.close().then(() => process.exit(0));
});
process.send?.({ port: sim.port });
