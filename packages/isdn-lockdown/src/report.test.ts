import { describe, expect, it } from 'vitest';
import type { EvidenceSnapshot } from './evidence.js';
import { resolvePolicy } from './policy.js';
import { buildReport, formatReport } from './report.js';

const controller = (faxCapable: boolean): EvidenceSnapshot['controllers'][number] => ({
  controller: 1,
  manufacturer: 'Sim',
  serial: '1',
  version: 'CAPI 2.0',
  bChannels: 2,
  globalOptions: 1,
  b1: 0x13,
  b2: 0x13,
  b3: 0x31,
  offered: { b1: [], b2: [], b3: [], options: [] },
  used: { b1: [], b2: [], b3: [], options: [] },
  unused: [],
  faxCapable,
});
const snapshot = (faxCapable = true): EvidenceSnapshot => ({
  takenAt: '2026-01-01T00:00:00Z',
  mode: 'send-receive',
  listenCipMask: 0x20010,
  controllers: [controller(faxCapable)],
});
const api = { protocol: 'tcp' as const, address: '127.0.0.1', port: 8025, inode: 1 };

describe('buildReport', () => {
  it('is ok when every controller does fax and every listener is allowed', () => {
    const r = buildReport({
      policy: resolvePolicy(),
      evidence: { snapshot: snapshot(), changes: [] },
      sockets: [api],
      allowedListeners: [{ port: 8025, note: 'faxgate API' }],
    });
    expect(r.ok).toBe(true);
    expect(r.violations).toEqual([]);
    expect(formatReport(r)).toMatch(/result: +OK/);
  });

  it('names each violation: foreign listener, no fax protocols, unreadable evidence', () => {
    const foreign = {
      protocol: 'udp' as const,
      address: '0.0.0.0',
      port: 69,
      inode: 2,
      pid: 42,
      command: 'tftpd',
    };
    const r = buildReport({
      policy: resolvePolicy(),
      evidence: { snapshot: snapshot(false), changes: [] },
      sockets: [api, foreign],
      allowedListeners: [{ port: 8025 }],
    });
    expect(r.ok).toBe(false);
    expect(r.violations).toEqual([
      'controller 1 does not offer the fax protocols the policy uses',
      'listening socket udp 0.0.0.0:69 (tftpd, pid 42) is not a configured faxgate port',
    ]);
    const down = buildReport({
      policy: resolvePolicy(),
      evidence: { error: 'connect ECONNREFUSED' },
      sockets: [],
      allowedListeners: [],
    });
    expect(down.violations).toEqual(['controller evidence could not be read: connect ECONNREFUSED']);
  });

  it('reports outgoing-only mode with no accepted service', () => {
    const r = buildReport({
      policy: resolvePolicy({ mode: 'outgoing-only' }),
      evidence: { snapshot: snapshot(), changes: [] },
      sockets: [],
      allowedListeners: [],
    });
    expect(r).toMatchObject({ ok: true, listenCipMask: 0, acceptedServices: [] });
    expect(formatReport(r)).toContain('LISTEN with an empty CIP mask');
  });
});
