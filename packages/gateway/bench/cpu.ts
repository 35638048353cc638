// CPU accounting for the pipeline benchmarks: what each part of a fax's way costs in CPU
// time (this process, the simulator, PostgreSQL, Redis, the whole machine), read from
// /proc so the figures hold even when the 2-core machine is shared and wall time is not.
import fs from 'node:fs';

const HZ = 100; // USER_HZ of /proc on Linux

/** utime + stime of a process, in ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / HZ;
  } catch {
    return 0;
  }
}

/** CPU ms of every process whose command name is `comm` (e.g. all PostgreSQL backends). */
export function commandCpuMs(comm: string): number {
  let ms = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) ms += processCpuMs(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return ms;
}

/** Busy and total CPU ms of the machine (all cores). */
export function machineCpuMs(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: ((total - f[3] - f[4]) * 1000) / HZ, total: (total * 1000) / HZ };
}

export interface CpuSnapshot {
  wallMs: number;
  self: number;
  sim: number;
  postgres: number;
  redis: number;
  machine: number;
}

/**
 * `postgresPids`: the backends serving this benchmark's database (pg_stat_activity), so other
 * work on the shared server does not count; without them, every postgres process counts.
 */
export function cpuSnapshot(simPid?: number, postgresPids?: readonly number[]): CpuSnapshot {
  const u = process.cpuUsage();
  return {
    wallMs: performance.now(),
    self: (u.user + u.system) / 1000,
    sim: simPid ? processCpuMs(simPid) : 0,
    postgres: postgresPids
      ? postgresPids.reduce((n, pid) => n + processCpuMs(pid), 0)
      : commandCpuMs('postgres'),
    redis: commandCpuMs('redis-server'),
    machine: machineCpuMs().busy,
  };
}

/** CPU ms per unit (e.g. per fax) spent between two snapshots, by part. */
export function cpuPer(a: CpuSnapshot, b: CpuSnapshot, units: number): Omit<CpuSnapshot, 'wallMs'> {
  const per = (k: keyof Omit<CpuSnapshot, 'wallMs'>) => (b[k] - a[k]) / units;
  return {
    self: per('self'),
    sim: per('sim'),
    postgres: per('postgres'),
    redis: per('redis'),
    machine: per('machine'),
  };
}
