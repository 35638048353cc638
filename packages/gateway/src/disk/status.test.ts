// The disk guard's state in /status: for line.read holders (and config.read), not for every
// logged-in user; the terminal form says when the node refuses work.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { formatStatus, gatewayStatus, statusView } from '../status.js';
import type { DiskState } from './guard.js';

const GiB = 1024 ** 3;
const disk: DiskState = {
  level: 'critical',
  checkedAt: new Date('2026-12-07T10:00:00Z'),
  targets: [
    { name: 'spool', level: 'critical', path: '/s', totalBytes: 100 * GiB, freeBytes: GiB, freePercent: 1 },
    { name: 'tmp', level: 'ok', path: '/t', totalBytes: 100 * GiB, freeBytes: 50 * GiB, freePercent: 50 },
    { name: 'database', level: 'ok', sizeBytes: 12 * 1024 * 1024 },
  ],
};

describe('disk in the status', () => {
  const { config } = validateConfig({}, {});
  const s = gatewayStatus({ config, configFile: null, startedAt: new Date(), apiAddress: 'x', disk });

  it('is shown to line.read and config.read, not to everyone', () => {
    expect(statusView(s, { lines: true, config: false })).toMatchObject({ disk });
    expect(statusView(s, { lines: true, config: true })).toMatchObject({ disk });
    expect(statusView(s, { lines: false, config: false })).not.toHaveProperty('disk');
  });

  it('says in the terminal form that the node refuses work', () => {
    expect(formatStatus(s)).toContain(
      '  disk:      critical — REFUSING submissions and incoming calls (spool 1 % free, tmp 50 % free, database 12 MiB)',
    );
  });
});
