import { describe, expect, it } from 'vitest';
import { parseEprt, parsePort } from './data-channel.js';
import { DEFAULT_JOBFMT, DEFAULT_RCVFMT, formatLine, validFormat } from './formats.js';
import {
  getParam,
  type JobDraft,
  killTimeOf,
  ParamError,
  parseLastTime,
  parseSendTime,
  setParam,
} from './job-params.js';
import { LineSplitter, MAX_LINE, parseCommand, reply, splitParam, unquote } from './protocol.js';
import { recvFileId, recvFileName } from './queues.js';

describe('command lines', () => {
  it('splits verb and argument, upper-cases the verb, refuses what is no command', () => {
    expect(parseCommand('user alice')).toEqual({ verb: 'USER', arg: 'alice' });
    expect(parseCommand('JSUBM\r')).toEqual({ verb: 'JSUBM', arg: '' });
    expect(parseCommand('JPARM DIALSTRING "555 1000"')).toEqual({
      verb: 'JPARM',
      arg: 'DIALSTRING "555 1000"',
    });
    for (const bad of ['', ' USER x', '12 3', 'TOOLONGVERBNAME x', 'US-ER x'])
      expect(parseCommand(bad)).toBeNull();
  });

  it('unquotes strings with escapes and refuses an open quote', () => {
    expect(unquote('"Alice A"')).toBe('Alice A');
    expect(unquote('"say \\"hi\\""')).toBe('say "hi"');
    expect(unquote('bare')).toBe('bare');
    expect(unquote('"open')).toBeNull();
    expect(unquote('"a" b')).toBeNull();
    expect(splitParam('NOTIFY "done"')).toEqual({ name: 'NOTIFY', value: 'done' });
    expect(splitParam('vres')).toEqual({ name: 'VRES', value: null });
  });

  it('writes multi-line replies with continuation codes and no stray CR or NUL', () => {
    expect(reply(200, 'ok')).toBe('200 ok\r\n');
    expect(reply(214, 'a\nb\r\0')).toBe('214-a\r\n214 b\r\n');
  });

  it('cuts lines and refuses one longer than MAX_LINE, even without its newline', () => {
    const s = new LineSplitter();
    expect(s.push('USER a\r\nPA')).toEqual(['USER a']);
    expect(s.push('SS b\n')).toEqual(['PASS b']);
    expect(s.push('x'.repeat(MAX_LINE + 1))).toBe('too-long');
  });
});

describe('format strings', () => {
  const job: Record<string, string | number> = {
    j: 12,
    i: 127,
    a: 'P',
    o: 'alice',
    e: '+49305551000',
    P: '0:2',
    D: '0:12',
    z: '18:30',
    s: '',
  };
  it('applies width, left alignment, precision and zero fill like printf', () => {
    expect(formatLine('%-4j|%3i|%1a|%6.6o|%-12.12e|', (l) => job[l])).toBe('12  |127|P| alice|+49305551000|');
    expect(formatLine('%05j %.3o %% %q', (l) => job[l])).toBe('00012 ali % ');
  });
  it('formats hfaxd’s default job and receive formats to fixed columns', () => {
    const line = formatLine(DEFAULT_JOBFMT, (l) => job[l]);
    expect(line).toBe('12   127 P  alice +49305551000   0:2  0:12   18:30 ');
    const recv: Record<string, string | number> = {
      m: '-rw----',
      p: 3,
      z: ' ',
      o: 'sales-in',
      s: 'REMOTE TSI',
      t: '07Dec1728',
      f: 'fax00000042.tif',
    };
    expect(formatLine(DEFAULT_RCVFMT, (l) => recv[l])).toBe(
      '-rw----    3  sales-in     REMOTE TSI 07Dec1728 fax00000042.tif',
    );
  });
  it('refuses formats with control characters or over the length bound', () => {
    expect(validFormat('%-4j %s')).toBe(true);
    expect(validFormat('%j\n%s')).toBe(false);
    expect(validFormat('%j'.repeat(300))).toBe(false);
  });
});

describe('job parameters', () => {
  const now = new Date('2026-12-07T17:00:00Z');
  it('reads SENDTIME in GMT and LASTTIME as DDHHMM after the send time', () => {
    expect(parseSendTime('202612071828', now)?.toISOString()).toBe('2026-12-07T18:28:00.000Z');
    expect(parseSendTime('NOW', now)).toBe(now);
    for (const bad of ['20261307', '202602301200', '202612072460', 'tomorrow'])
      expect(parseSendTime(bad, now)).toBeNull();
    expect(parseLastTime('000300')).toBe(180);
    expect(parseLastTime('010000')).toBe(1440);
    expect(parseLastTime('000000')).toBeNull();
    expect(parseLastTime('002500')).toBeNull();
    const d: JobDraft = { documents: [] };
    setParam(d, 'SENDTIME', '202612071900', now);
    setParam(d, 'LASTTIME', '000200', now);
    expect(killTimeOf(d, now)?.toISOString()).toBe('2026-12-07T21:00:00.000Z');
  });
  it('takes over what faxgate uses, accepts modem settings without effect, refuses the rest', () => {
    const d: JobDraft = { documents: [] };
    expect(setParam(d, 'DIALSTRING', '555 1000', now)).toBe(true);
    expect(setParam(d, 'SCHEDPRI', '50', now)).toBe(true);
    expect(setParam(d, 'VRES', '196', now)).toBe(true);
    expect(setParam(d, 'PAGECHOP', 'default', now)).toBe(false);
    expect(getParam(d, 'DIALSTRING')).toBe('555 1000');
    expect(d).toMatchObject({ number: '555 1000', priority: 50, vres: 196 });
    for (const [n, v] of [
      ['DIALSTRING', '555;rm -rf'],
      ['SCHEDPRI', '256'],
      ['VRES', '300'],
      ['NOTIFY', 'always'],
      ['POLL', ''],
      ['NOSUCH', 'x'],
      ['REGARDING', 'x'.repeat(201)],
    ])
      expect(() => setParam(d, n, v, now)).toThrow(ParamError);
  });
});

describe('data addresses and receive-queue names', () => {
  it('parses PORT and EPRT and refuses malformed ones', () => {
    expect(parsePort('127,0,0,1,4,1')).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(parsePort('127,0,0,1,4')).toBeNull();
    expect(parsePort('300,0,0,1,4,1')).toBeNull();
    expect(parseEprt('|1|127.0.0.1|45183|')).toEqual({ host: '127.0.0.1', port: 45183 });
    expect(parseEprt('|2|::1|2000|')).toEqual({ host: '::1', port: 2000 });
    expect(parseEprt('|1|example.org|80|')).toBeNull();
    expect(parseEprt('|1|127.0.0.1|0|')).toBeNull();
  });
  it('names received faxes as hfaxd does and reads the id back', () => {
    expect(recvFileName(42)).toBe('fax00000042.tif');
    expect(recvFileId('recvq/fax00000042.tif')).toBe(42);
    expect(recvFileId('fax00000042.tif')).toBe(42);
    for (const bad of ['../etc/passwd', 'recvq/fax0.tif', 'sendq/q1', 'recvq/fax1.tif/..'])
      expect(recvFileId(bad)).toBeNull();
  });
});
