/**
 * Child-process driver for the native transport tests (see native-child-client.ts). Reads
 * one JSON command per line on stdin, answers one JSON line per command on stdout, and
 * reports application events ('message', 'down', 'warning') as JSON lines too.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { loadNativeCapi } from '../native/addon.js';
import type { NativeApplication } from '../native/native-transport.js';
import { NativeTransport } from '../native/native-transport.js';
import { cleanupCapiSharedMemory } from '../native/shm-cleanup.js';
import { NativeChild } from './native-child-client.js';

let transport: NativeTransport | undefined;
const apps = new Map<number, NativeApplication>();
const children = new Map<string, NativeChild>();
const heldFds: number[] = [];

const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : undefined);
const T = () => {
  if (!transport) throw new Error('open first');
  return transport;
};
const app = (applId: unknown) => {
  const a = apps.get(Number(applId));
  if (!a) throw new Error(`no application ${applId}`);
  return a;
};

type Args = Record<string, unknown>;
const ops: Record<string, (a: Args) => unknown> = {
  open: (a) => {
    transport = new NativeTransport(a as ConstructorParameters<typeof NativeTransport>[0]);
    return true;
  },
  isInstalled: () => T().isInstalled(),
  getProfile: async (a) => hex(await T().getProfile(Number(a.controller))),
  getManufacturer: (a) => T().getManufacturer(Number(a.controller)),
  getVersion: (a) => T().getVersion(Number(a.controller)),
  getSerialNumber: (a) => T().getSerialNumber(Number(a.controller)),
  register: async (a) => {
    const ap = await T().register(a as never);
    apps.set(ap.applId, ap);
    ap.on('message', (raw: Buffer, data?: Buffer) =>
      out({ event: 'message', applId: ap.applId, raw: hex(raw), data: hex(data) }),
    );
    ap.on('down', (err: Error) => out({ event: 'down', applId: ap.applId, message: err.message }));
    ap.on('warning', (text: string) => out({ event: 'warning', applId: ap.applId, message: text }));
    return { applId: ap.applId, fd: ap.fd };
  },
  put: async (a) => {
    await app(a.applId).putMessage(
      Buffer.from(String(a.raw), 'hex'),
      a.data === undefined ? undefined : Buffer.from(String(a.data), 'hex'),
    );
    return true;
  },
  release: async (a) => {
    await app(a.applId).release();
    apps.delete(Number(a.applId));
    return true;
  },
  stats: (a) => app(a.applId).stats(),
  waitForMessage: (a) => loadNativeCapi().waitForMessage(Number(a.applId), Number(a.timeoutMs)),
  /** Occupies file descriptors so the next socket gets a number >= count (P2). */
  openFds: (a) => {
    while (heldFds.length < Number(a.count)) heldFds.push(fs.openSync('/dev/null', 'r'));
    return heldFds.at(-1);
  },
  cleanupShm: () => cleanupCapiSharedMemory(),
  shmFiles: () => fs.readdirSync('/dev/shm').filter((f) => f.includes('CAPI20')),
  pid: () => process.pid,
  /** Dies without running libcapi20's exit handler, leaking its ApplID slots (P11). */
  die: () => process.kill(process.pid, 'SIGKILL'),
  // Grandchildren in the same namespaces (for tests that need several CAPI processes).
  spawn: (a) => {
    children.set(String(a.name), new NativeChild({ home: process.env.HOME!, isolate: false }));
    return true;
  },
  child: (a) => {
    const c = children.get(String(a.name));
    if (!c) throw new Error(`no child ${a.name}`);
    return c.call(String(a.op), (a.args ?? {}) as Args);
  },
  childEnd: async (a) => {
    const c = children.get(String(a.name));
    if (!c) throw new Error(`no child ${a.name}`);
    children.delete(String(a.name));
    return c.end();
  },
};

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const { id, op, args } = JSON.parse(line) as { id: number; op: string; args: Args };
  try {
    const fn = ops[op];
    if (!fn) throw new Error(`unknown op ${op}`);
    out({ id, ok: true, result: (await fn(args)) ?? null });
  } catch (e) {
    const err = e as Error & { code?: string };
    out({ id, ok: false, error: { name: err.name, code: err.code, message: err.message } });
  }
});
rl.on('close', async () => {
  for (const c of children.values()) await c.end();
  await transport?.close();
  process.exit(0);
});
