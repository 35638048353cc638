import type { Fax } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import { describeZone, FAXSTAT_HEADER, faxstatLine, stateLetter, statusText, ttsText } from './faxstat.js';

function fax(over: Partial<Fax>): Fax {
  return {
    id: 12,
    direction: 'out',
    state: 'pending',
    priority: 127,
    remoteNumber: '+4930123456789',
    pagesTotal: 4,
    pagesDone: 0,
    dials: 0,
    maxDials: 12,
    notBefore: null,
    cause: null,
    causeText: null,
    metadata: {},
    ...over,
  } as Fax;
}

const now = new Date('2026-11-27T10:00:00Z');

describe('faxstat table', () => {
  it('has the header HylaFAX derives from its default JobFmt', () => {
    // %-4j %3i %1a %6.6o %-12.12e %5P %5D %7z %.25s with each title cut/padded to its width
    const titles = [
      'JID '.padEnd(4),
      'Pri',
      'S',
      'Owner'.padStart(6),
      'Number'.padEnd(12),
      'Pages',
      'Dials',
      'TTS'.padStart(7),
      'Status',
    ];
    expect(FAXSTAT_HEADER).toBe(titles.join(' '));
  });

  it('cuts owner to 6 and number to 12 characters, the status to 25', () => {
    const line = faxstatLine(
      {
        fax: fax({
          state: 'failed',
          dials: 12,
          pagesDone: 2,
          causeText: 'No answer from the remote fax machine',
        }),
        owner: 'maximilian',
      },
      now,
      'UTC',
    );
    expect(line).toBe('12   127 F maximi +49301234567   2:4 12:12         No answer from the remote');
  });

  it('leaves the status of a done job empty as faxstat does; a failed one keeps its reason', () => {
    const done = faxstatLine(
      {
        fax: fax({
          state: 'done',
          dials: 1,
          pagesDone: 1,
          pagesTotal: 1,
          cause: 'ok',
          causeText: '1 page confirmed',
        }),
        owner: 'alice',
      },
      now,
      'UTC',
    );
    expect(done).toBe('12   127 D  alice +49301234567   1:1  1:12');
    expect(statusText(fax({ state: 'done', cause: 'ok', causeText: '1 page confirmed' }))).toBe('');
    expect(statusText(fax({ state: 'failed', cause: 'busy', causeText: 'Busy signal detected' }))).toBe(
      'Busy signal detected',
    );
    expect(statusText(fax({ state: 'sleeping', cause: 'no-answer', causeText: null }))).toBe('no-answer');
  });

  it('maps every HylaFAX state to its letter', () => {
    const states = [
      'suspended',
      'pending',
      'sleeping',
      'blocked',
      'waiting',
      'running',
      'done',
      'failed',
    ] as const;
    expect(states.map(stateLetter).join('')).toBe('TPSBWRDF');
    expect(stateLetter('rendering')).toBe('?');
  });

  it('shows TTS as HH:MM the same local day, DDMonYY later, blank when due', () => {
    expect(ttsText(fax({ notBefore: new Date('2026-11-27T22:30:00Z') }), now, 'UTC')).toBe('22:30');
    // 22:30 UTC is already the next day in Berlin
    expect(ttsText(fax({ notBefore: new Date('2026-11-27T23:30:00Z') }), now, 'Europe/Berlin')).toBe(
      '28Nov26',
    );
    expect(ttsText(fax({ notBefore: new Date('2026-11-27T09:00:00Z') }), now, 'UTC')).toBe('');
    expect(ttsText(fax({ state: 'running', notBefore: new Date('2026-11-28T09:00:00Z') }), now, 'UTC')).toBe(
      '',
    );
  });

  it('states the zone with its offset', () => {
    expect(describeZone('Europe/Berlin', new Date('2026-07-01T00:00:00Z'))).toBe('Europe/Berlin (UTC+02:00)');
    expect(describeZone('UTC', now)).toBe('UTC (UTC+00:00)');
  });
});

describe('faxstat status column: --wide and --wrap', () => {
  const long = fax({
    state: 'sleeping',
    dials: 3,
    causeText: 'network: no answer from undefined remote after 60 seconds of ringing',
  });

  it('--wide keeps the whole status text on the line', () => {
    const line = faxstatLine({ fax: long, owner: 'alice' }, now, 'UTC', 'wide');
    expect(line.split('\n')).toHaveLength(1);
    expect(line.endsWith('network: no answer from undefined remote after 60 seconds of ringing')).toBe(true);
    expect(line.indexOf('network')).toBe(FAXSTAT_HEADER.indexOf('Status'));
  });

  it('--wrap puts the rest on lines of their own under the status column, broken at spaces', () => {
    const lines = faxstatLine({ fax: long, owner: 'alice' }, now, 'UTC', 'wrap').split('\n');
    const col = FAXSTAT_HEADER.indexOf('Status');
    expect(lines[0].slice(col)).toBe('network: no answer from');
    for (const l of lines.slice(1)) {
      expect(l.slice(0, col).trim()).toBe('');
      expect(l.length - col).toBeLessThanOrEqual(25);
    }
    expect(lines.map((l) => l.slice(col)).join(' ')).toBe(statusText(long));
  });

  it('--wrap of a short status is the cut line', () => {
    const short = fax({ state: 'sleeping', causeText: 'busy' });
    expect(faxstatLine({ fax: short, owner: 'a' }, now, 'UTC', 'wrap')).toBe(
      faxstatLine({ fax: short, owner: 'a' }, now, 'UTC'),
    );
  });
});
