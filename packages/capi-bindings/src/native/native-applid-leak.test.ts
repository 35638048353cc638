/**
 * P11: libcapi20's ApplID table lives in /dev/shm and is shared by every process on the
 * machine; a client killed hard leaks its slot. The test runs in a private /dev/shm and PID
 * namespace (root only: CI and the developers' machines), so the table starts empty and its
 * ApplIDs are predictable, and several CAPI processes inside it are grandchildren.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canIsolate, capiHome, NativeChild } from '../test-support/native-child-client.js';
import { RcapiPeer } from '../test-support/rcapi-peer.js';

let server: RcapiPeer;
let home: string;

beforeAll(async () => {
  server = await RcapiPeer.start({ card: true });
  home = capiHome(server.port);
});

afterAll(async () => {
  await server.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const params = { maxLogicalConnection: 1, maxBDataBlocks: 7, maxBDataLen: 2048 };

it('never assumes ApplID 1 after a leaked slot, and cleans the table only when no CAPI process runs', async () => {
  expect(canIsolate(), 'needs root and unshare(1) for a private /dev/shm').toBe(true);
  const ns = new NativeChild({ home, isolate: true });
  try {
    const run = (name: string, op: string, args: Record<string, unknown> = {}) =>
      ns.call('child', { name, op, args });

    await ns.call('spawn', { name: 'killed' });
    await run('killed', 'open');
    const leaked = await run('killed', 'register', params);
    expect(leaked).toMatchObject({ applId: 1 });
    await expect(run('killed', 'die')).rejects.toThrow(/SIGKILL/);
    await ns.call('childEnd', { name: 'killed' });

    await ns.call('spawn', { name: 'next' });
    await run('next', 'open');
    const next = await run('next', 'register', params);
    expect(next).toMatchObject({ applId: 2 }); // slot 1 still belongs to the dead process
    expect(await ns.call('childEnd', { name: 'next' })).toEqual({ code: 0, signal: null });

    await ns.call('spawn', { name: 'holder' });
    await run('holder', 'open');
    await run('holder', 'register', params);
    const holderPid = await run('holder', 'pid');
    const blocked = await ns.call<{ removed: string[]; blockedBy: number[] }>('cleanupShm');
    expect(blocked).toEqual({ removed: [], blockedBy: [holderPid] });
    expect(await ns.call('shmFiles')).toHaveLength(2);
    expect(await ns.call('childEnd', { name: 'holder' })).toEqual({ code: 0, signal: null });

    const cleaned = await ns.call<{ removed: string[]; blockedBy: number[] }>('cleanupShm');
    expect(cleaned.blockedBy).toEqual([]);
    expect(cleaned.removed.sort()).toEqual([
      '/dev/shm/CAPI20_shared_memory.v01000010',
      '/dev/shm/sem.CAPI20_shared_sem.v01000010',
    ]);

    await ns.call('spawn', { name: 'fresh' });
    await run('fresh', 'open');
    expect(await run('fresh', 'register', params)).toMatchObject({ applId: 1 });
    expect(await ns.call('childEnd', { name: 'fresh' })).toEqual({ code: 0, signal: null });
  } finally {
    const exit = await ns.end();
    expect(exit, ns.stderr.join('')).toEqual({ code: 0, signal: null });
  }
});
