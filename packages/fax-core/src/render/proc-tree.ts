// The processes under one render worker's top process, read from /proc. Under bubblewrap the
// pid the pool gets is bwrap's; the worker runs two levels below it in its own pid namespace
// (bwrap → bwrap as pid 1 → node), so memory is summed and kills are sent over the whole tree.
import fs from 'node:fs';

const PAGE_SIZE = 4096;

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const t of tasks) {
    try {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'latin1').split(' '))
        if (c.trim()) out.push(Number(c));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out;
}

/** `pid` and every process below it, parents before children (host pids). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const todo = [pid];
  // bounded so a fork bomb cannot make the pool's poll endless; killing the first processes
  // (bwrap, then bwrap as the namespace's pid 1) ends every process of the namespace anyway
  while (todo.length > 0 && out.length < 1024) {
    const p = todo.shift()!;
    out.push(p);
    todo.push(...childrenOf(p));
  }
  return out;
}

/** Resident set of one process in bytes, undefined when it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const statm = fs.readFileSync(`/proc/${pid}/statm`, 'latin1');
    return Number(statm.split(' ')[1]) * PAGE_SIZE;
  } catch {
    return undefined;
  }
}

/** Resident set of `pid` and everything below it, undefined when `pid` is gone. */
export function treeRss(pid: number): number | undefined {
  const own = rssOf(pid);
  if (own === undefined) return undefined;
  let sum = own;
  for (const p of processTree(pid).slice(1)) sum += rssOf(p) ?? 0;
  return sum;
}

/**
 * The first process of the tree that is not bubblewrap: the worker itself (`pid` when it is
 * not bwrap; undefined while bwrap has not started the worker yet).
 */
export function workerOf(pid: number): number | undefined {
  for (const p of processTree(pid)) {
    try {
      if (fs.readFileSync(`/proc/${p}/comm`, 'latin1').trim() !== 'bwrap') return p;
    } catch {
      // gone
    }
  }
  return undefined;
}

/** SIGKILL to every process of the tree, deepest first; ignores the ones already gone. */
export function killTree(pid: number): void {
  for (const p of processTree(pid).reverse()) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
