// GET /api/v1/log over real HTTP: log.read only (403 + access.denied otherwise), the
// xferfaxlog/CSV/JSON-lines formats with the date column in the asked zone, the read on record.
import { recordXfer } from '@faxgate/audit';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';
import { recordSampleSend } from '../../test-support/send-record.js';

const f = useApiFixture();

beforeAll(async () => {
  await recordSampleSend(f.db, 'alice');
});

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}

describe('GET /api/v1/log', () => {
  it('refuses a role without log.read with 403 and an access.denied event, in every format', async () => {
    for (const user of ['alice', 'bob']) {
      for (const q of ['', '?format=xferfaxlog-19']) {
        const r = await client(f, user)(`/api/v1/log${q}`);
        expect(r.status).toBe(403);
        expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: user });
      }
    }
  });

  it('answers HylaFAX 6.0 lines (19 columns, no jobinfo) for format=xferfaxlog-19, recorded as such', async () => {
    const r = await client(f, 'audi')('/api/v1/log?format=xferfaxlog-19');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const line = (await r.text()).replace(/\n$/, '');
    expect(line.split('\t')).toHaveLength(19);
    expect(line.split('\t').slice(0, 3)).toEqual(['03/02/26 10:15', 'SEND', '00000042']);
    expect(await lastEvent()).toMatchObject({
      type: 'log.read',
      details: { format: 'xferfaxlog-19', rows: 1 },
    });
  });

  it('answers xferfaxlog lines in the asked zone to the auditor, and records the read', async () => {
    const r = await client(f, 'audi')('/api/v1/log?timeZone=Europe/Berlin');
    expect(r.status).toBe(200);
    const cols = (await r.text()).trimEnd().split('\t');
    expect(cols.slice(0, 3)).toEqual(['03/02/26 11:15', 'SEND', '00000042']);
    expect(await lastEvent()).toMatchObject({
      type: 'log.read',
      actor: 'audi',
      subject: 'xfer_log',
      details: { format: 'xferfaxlog', rows: 1 },
    });
    const json = await client(
      f,
      'audi',
    )('/api/v1/log?format=jsonl&from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z');
    expect((await json.text()).trimEnd().split('\n')).toHaveLength(1);
    const none = await client(f, 'audi')('/api/v1/log?format=csv&from=2026-03-03T00:00:00Z');
    expect((await none.text()).trimEnd().split('\n')).toHaveLength(1); // the header
  });

  it('narrows to the rows of one fax (fax=<id>), named in the read event', async () => {
    await f.db.transaction((trx) =>
      recordXfer(trx, { type: 'SEND', time: new Date('2026-03-02T12:00:00Z'), faxId: 77, dest: '5551234' }),
    );
    const r = await client(f, 'audi')('/api/v1/log?format=jsonl&fax=77');
    expect(r.status).toBe(200);
    const rows = (await r.text()).trimEnd().split('\n');
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0])).toMatchObject({ faxId: 77, dest: '5551234' });
    expect(await lastEvent()).toMatchObject({ type: 'log.read', details: { faxId: 77, rows: 1 } });
    expect((await (await client(f, 'audi')('/api/v1/log?format=jsonl&fax=78')).text()).trim()).toBe('');
  });

  it('refuses an unknown zone, format or a bad range with 400', async () => {
    for (const q of ['timeZone=Mars/Olympus', 'format=pdf', 'to=tomorrow', 'fax=0', 'fax=x']) {
      const r = await client(f, 'audi')(`/api/v1/log?${q}`);
      expect(r.status).toBe(400);
    }
  });
});
