#!/usr/bin/env node
// faxgate-sim: run the simulator in the foreground, inject calls into a running one, or
// follow its CAPI message trace. Exit codes: 0 ok, 1 failure, 2 usage error.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SimConfigInput } from '../config.js';
import { SimConfigError } from '../errors.js';
import { startSimulator } from '../simulator.js';

const DEFAULT_PORT = 2662;
const DEFAULT_CONTROL_PORT = 2663;

const USAGE = `usage:
  faxgate-sim [--port N] [--config FILE] [--control-port M] [--fritzbox-port P] [--time-factor F]
                   (without --control-port: 2663 when free, else a free port; stderr says which)
  faxgate-sim call --from X --to Y (FILE | --service speech|audio|data|video) [--cip N] [--csi ID]
                   [--ignore-listen] [--controller N] [--control-port M]
  faxgate-sim trace [--control-port M]`;

class UsageError extends Error {}

function int(v: string | undefined, what: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be an integer in ${min}..${max}`);
  return n;
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      config: { type: 'string' },
      'control-port': { type: 'string' },
      'fritzbox-port': { type: 'string' },
      'time-factor': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  let cfg: SimConfigInput = {};
  if (values.config) {
    try {
      cfg = JSON.parse(await readFile(values.config, 'utf8')) as SimConfigInput;
    } catch (e) {
      throw new SimConfigError(`${values.config}: ${(e as Error).message}`);
    }
  }
  cfg.port = int(values.port, '--port', 0, 65535) ?? cfg.port ?? DEFAULT_PORT;
  // The default control port only when it is free: a second simulator on the host takes
  // another one (and says so) instead of failing with EADDRINUSE.
  const asked = int(values['control-port'], '--control-port', 0, 65535) ?? cfg.controlPort;
  const defaultTaken =
    asked === undefined && !(await portFree(cfg.host ?? '127.0.0.1', DEFAULT_CONTROL_PORT));
  cfg.controlPort = asked ?? (defaultTaken ? 0 : DEFAULT_CONTROL_PORT);
  const fritz = int(values['fritzbox-port'], '--fritzbox-port', 0, 65535);
  if (fritz !== undefined) cfg.fritzboxPort = fritz;
  if (values['time-factor'] !== undefined) {
    const f = Number(values['time-factor']);
    if (!(f >= 0 && f <= 1000)) throw new UsageError('--time-factor must be a number in 0..1000');
    cfg.timeFactor = f;
  }
  const sim = await startSimulator(cfg);
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', host: sim.host, port: sim.port, fritzboxPort: sim.fritzboxPort, controlPort: sim.controlPort, controllers: sim.config.controllers.length, parties: Object.keys(sim.config.parties) })}\n`,
  );
  process.stderr.write(`${controlPortNote(sim.controlPort, asked, defaultTaken)}\n`);
  sim.events.on('call', (c) => process.stdout.write(`${JSON.stringify({ event: 'call', ...c })}\n`));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

/** Whether host:port can be listened on now (nothing else holds it). */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The line that says which control port the simulator took, and why. */
function controlPortNote(took: number | undefined, asked: number | undefined, defaultTaken: boolean): string {
  if (asked !== undefined) return `faxgate-sim: control port ${took} (asked for ${asked})`;
  if (!defaultTaken) return `faxgate-sim: control port ${took} (the default)`;
  return (
    `faxgate-sim: control port ${took}: the default ${DEFAULT_CONTROL_PORT} is in use ` +
    `(another simulator?); use --control-port ${took} with call and trace`
  );
}

function request(
  port: number,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, headers: { 'content-type': 'application/json' } },
      resolve,
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  let s = '';
  res.setEncoding('utf8');
  for await (const c of res) s += c;
  return s;
}

async function call(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      service: { type: 'string' },
      cip: { type: 'string' },
      csi: { type: 'string' },
      controller: { type: 'string' },
      'ignore-listen': { type: 'boolean' },
      'control-port': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (!values.to) throw new UsageError('call needs --to');
  if (positionals.length > 1) throw new UsageError('call takes at most one FILE');
  const file = positionals[0];
  if (!file && !values.service) throw new UsageError('call needs a FILE or --service');
  if (values.service && !['fax', 'speech', 'audio', 'data', 'video'].includes(values.service)) {
    throw new UsageError(`unknown service '${values.service}'`);
  }
  const body = {
    from: values.from ?? '',
    to: values.to,
    file: file ? path.resolve(file) : undefined,
    service: values.service,
    cip: int(values.cip, '--cip', 0, 31),
    csi: values.csi,
    controller: int(values.controller, '--controller', 1, 127),
    ignoreListen: values['ignore-listen'] ?? undefined,
  };
  const port = int(values['control-port'], '--control-port', 1, 65535) ?? DEFAULT_CONTROL_PORT;
  const res = await request(port, 'POST', '/calls', body);
  const text = await readAll(res);
  if (res.statusCode !== 200) {
    process.stderr.write(`faxgate-sim: ${text}\n`);
    return 1;
  }
  process.stdout.write(`${text}\n`);
  return 0;
}

async function trace(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'control-port': { type: 'string' } }, strict: true });
  const port = int(values['control-port'], '--control-port', 1, 65535) ?? DEFAULT_CONTROL_PORT;
  const res = await request(port, 'GET', '/trace?follow=1');
  if (res.statusCode !== 200) return 1;
  res.pipe(process.stdout);
  await new Promise<void>((resolve) => {
    res.on('end', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'call') return await call(rest);
    if (sub === 'trace') return await trace(rest);
    if (sub === 'help' || sub === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (sub !== undefined && !sub.startsWith('-')) throw new UsageError(`unknown command '${sub}'`);
    return await serve(argv);
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`faxgate-sim: ${(e as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
    return usage ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
