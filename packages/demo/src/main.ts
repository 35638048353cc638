#!/usr/bin/env node
// faxgate-demo (`npm start`): the gateway on a simulated ISDN exchange, demo logins and a fax
// each way (run.ts). It never reads a real configuration; `--help` says what it does.
import { runDemo } from './run.js';

const USAGE = `usage: faxgate-demo

Runs the faxgate demo: the simulated exchange (capi-sim), the gateway with a configuration
built in code (API on 127.0.0.1:8025, or a free port when that is taken), demo logins with
new passwords, a fax sent and a fax received; prints where to look. Ctrl-C stops it.

environment:
  FAXGATE_DATABASE_URL, DATABASE_URL   the PostgreSQL database (default: the local one)
  FAXGATE_DEMO_TIME_FACTOR             simulated line time factor, 0..1 (default 0.1)
  FAXGATE_DEMO_API_PORT                API port, 0 = any free port (default 8025)`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
} else if (args.length > 0) {
  process.stderr.write(`faxgate-demo: unknown argument '${args[0]}'\n${USAGE}\n`);
  process.exitCode = 2;
} else {
  await runDemo();
}
