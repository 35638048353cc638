// The catalogue's checkers on hand-made evidence (pure logic): a source that is missing reads
// "no evidence", a failing one names what is wrong, a good one is met; organisational items
// say what to do.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { REQUIREMENTS } from './catalogue.js';
import type { Evidence } from './evidence.js';
import { judge } from './report.js';

const now = new Date('2026-03-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

function evidence(over: Partial<Evidence> = {}, config: Record<string, unknown> = {}): Evidence {
  return {
    now,
    config: validateConfig(
      { lines: { controllers: [1] }, cover: { senderOrganisation: 'Acme' }, ...config },
      {},
    ).config,
    review: {
      overdue: false,
      last: {
        id: 1,
        from: hoursAgo(170),
        to: hoursAgo(2),
        note: 'n',
        reviewer: 'audi',
        createdAt: hoursAgo(1),
      },
      dueAt: hoursAgo(-166),
    },
    lastVerify: { time: hoursAgo(1), actor: 'gw', details: { ok: true } },
    checkpoints: { dir: '/cp', exists: true, count: 3, matched: 3, ok: true, latestAt: hoursAgo(1) },
    lockdownEvidence: { time: hoursAgo(0.1), actor: 'gw', details: {} },
    lockdownReport: { time: hoursAgo(5), actor: 'admin', details: { ok: true } },
    selftest: { time: hoursAgo(30), actor: 'admin', details: { passed: true } },
    release: { time: hoursAgo(29), actor: 'admin2', details: {} },
    retentionRun: { time: hoursAgo(1), actor: 'gw', details: { deleted: 4, failed: 0 } },
    healthChecks: [{ name: 'line:1', ok: true, at: hoursAgo(1) }],
    configVersions: { count: 3, lastAt: hoursAgo(40), lastAuthor: 'admin' },
    openAlerts: [],
    roles: { admin: 2, postoffice: 1, auditor: 1 },
    grants: { direct: 0, viaGroups: 4 },
    deadLetterMailbox: true,
    paths: {
      spool: { exists: true, mode: '700', private: true },
      tmp: { exists: true, mode: '700', private: true },
    },
    ...over,
  };
}
const v = (e: Evidence, id: string) => judge(REQUIREMENTS, e).find((x) => x.id === id);

describe('compliance catalogue', () => {
  it('covers every requirement of prior-art §4 once, each with a title', () => {
    const ids = REQUIREMENTS.map((r) => r.id);
    expect(new Set(ids).size).toBe(25);
    expect(ids).toContain('M 6.69');
    expect(ids).toContain('NET.4.3.A15');
    expect(REQUIREMENTS.every((r) => r.title.length > 5)).toBe(true);
  });

  it('a healthy installation has release, review, verify and link checks met', () => {
    const e = evidence();
    expect(v(e, 'M 5.25')?.status).toBe('met');
    expect(v(e, 'M 4.59')?.status).toBe('met');
    expect(v(e, 'NET.4.3.A9')?.status).toBe('met');
    expect(v(e, 'NET.4.3.A3')?.status).toBe('met');
    expect(v(e, 'M 6.69')).toMatchObject({
      status: 'organisational',
      detail: expect.stringMatching(/back up/),
    });
  });

  it('names what is wrong: pilot mode, a failed selftest without release, a failed verify, a failed line check, old evidence', () => {
    expect(v(evidence({}, { mode: 'pilot' }), 'M 5.73')?.detail).toMatch(/pilot mode/);
    const noRelease = evidence({
      release: null,
      selftest: { time: hoursAgo(3), actor: 'a', details: { passed: false } },
    });
    expect(v(noRelease, 'M 5.73')).toMatchObject({
      status: 'not-met',
      detail: expect.stringMatching(/no release recorded.*FAILED/),
    });
    const broken = evidence({ lastVerify: { time: hoursAgo(1), actor: 'gw', details: { ok: false } } });
    expect(v(broken, 'NET.4.3.A9')?.detail).toMatch(/FAILED/);
    const line = evidence({ healthChecks: [{ name: 'line:1', ok: false, at: hoursAgo(1) }] });
    expect(v(line, 'NET.4.3.A3')?.detail).toMatch(/line check line:1 failed/);
    expect(
      v(evidence({ lockdownEvidence: { time: hoursAgo(48), actor: 'gw', details: {} } }), 'M 4.59')?.detail,
    ).toMatch(/older than/);
    const overdue = evidence({ review: { overdue: true, last: null, dueAt: hoursAgo(5) } });
    expect(v(overdue, 'M 5.25')?.status).toBe('not-met');
    expect(
      v(evidence({ retentionRun: { time: hoursAgo(1), actor: 'gw', details: { failed: 2 } } }), 'NET.4.3.A11')
        ?.detail,
    ).toMatch(/could not delete 2/);
    expect(v(evidence({ roles: { admin: 1 } }), 'M 2.180')?.detail).toMatch(/postoffice role/);
  });

  it('reads "no evidence" where a source has not been built or has never run', () => {
    expect(v(evidence({ healthChecks: null }), 'NET.4.3.A3')?.detail).toMatch(
      /no evidence: no health check history/,
    );
    expect(v(evidence({ retentionRun: null }), 'NET.4.3.A11')?.detail).toMatch(
      /no evidence: no retention run/,
    );
    expect(v(evidence(), 'NET.4.3.A14')?.detail).toMatch(/no evidence: no archive configured/);
    expect(v(evidence({}, { queue: { enabled: true, receiveReserve: 0 } }), 'M 5.75')?.detail).toMatch(
      /receiveReserve is 0/,
    );
  });

  it('organisational items say what to record; a sender blocklist makes M 4.37 met', () => {
    expect(v(evidence(), 'M 4.37')).toMatchObject({
      status: 'organisational',
      detail: expect.stringMatching(/decide whether/),
    });
    expect(v(evidence({}, { lockdown: { callerBlocklist: ['+4989*'] } }), 'M 4.37')?.status).toBe('met');
    expect(v(evidence({ grants: { direct: 2, viaGroups: 1 } }), 'M 2.179')?.detail).toMatch(
      /2 rights are granted to single users/,
    );
  });
});
