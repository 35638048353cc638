// Pure: a reading against the thresholds. Critical beats warning; percent or bytes, whichever
// trips first (a small filesystem trips by percent, a huge one by bytes).
import type { DiskConfig } from './config.js';
import type { SpaceReading } from './probe.js';

export type DiskLevel = 'ok' | 'warning' | 'critical';

export const LEVEL_ORDER: Record<DiskLevel, number> = { ok: 0, warning: 1, critical: 2 };

export function freePercent(r: SpaceReading): number {
  return r.totalBytes > 0 ? (100 * r.freeBytes) / r.totalBytes : 0;
}

export function directoryLevel(r: SpaceReading, c: DiskConfig): DiskLevel {
  const pct = freePercent(r);
  if (pct < c.criticalPercent || (c.criticalBytes > 0 && r.freeBytes < c.criticalBytes)) return 'critical';
  if (pct < c.warningPercent || (c.warningBytes > 0 && r.freeBytes < c.warningBytes)) return 'warning';
  return 'ok';
}

export function databaseLevel(sizeBytes: number, c: DiskConfig): DiskLevel {
  if (c.databaseCriticalBytes > 0 && sizeBytes > c.databaseCriticalBytes) return 'critical';
  if (c.databaseWarningBytes > 0 && sizeBytes > c.databaseWarningBytes) return 'warning';
  return 'ok';
}

export function worst(levels: readonly DiskLevel[]): DiskLevel {
  return levels.reduce<DiskLevel>((a, b) => (LEVEL_ORDER[b] > LEVEL_ORDER[a] ? b : a), 'ok');
}

/** 1.5 GiB, 300 MiB: for summaries. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
