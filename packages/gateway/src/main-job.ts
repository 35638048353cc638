// `npm start`: the demo (demo/run.ts) — the gateway with a simulated exchange, demo users
// and a fax each way. The plain daemon runs with `--daemon` (`npm run gateway`, the systemd
// unit) or whenever a configuration file is named by $FAXGATE_CONFIG: a real configuration
// never starts the demo, and the demo never reads one.
const daemon = process.argv.includes('--daemon') || Boolean(process.env.FAXGATE_CONFIG);
if (daemon) {
  const { runDaemon } = await import('./run-daemon.js');
  await runDaemon();
} else {
  // Loaded only here: the daemon never loads the simulator.
  const { runDemo } = await import('./demo/run.js');
  await runDemo();
}
