// Fax visibility, the one rule: for every viewer × every fax, the pure decision, the SQL
// filter and the expected answer (written out by hand) agree — metadata and content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fax } from './services/faxes.js';
import * as faxes from './services/faxes.js';
import * as grants from './services/grants.js';
import * as groups from './services/groups.js';
import * as mailboxes from './services/mailboxes.js';
import * as users from './services/users.js';
import { type MigratedTestDb, migratedTestDb } from './test-support/db.js';
import {
  canReadFaxContent,
  canReadMetadata,
  canSeeFax,
  decideFaxMetadata,
  loadViewer,
  whereFaxVisible,
} from './visibility.js';

type Viewer = 'alice' | 'bob' | 'carol' | 'op' | 'po' | 'audi' | 'admin' | 'dave';
type FaxName = 'inMine' | 'inOther' | 'outAlice' | 'outCarol' | 'outOther' | 'outNoBox';

// Metadata: who sees which fax (hand-written).
const SEES: Record<Viewer, FaxName[]> = {
  alice: ['outAlice', 'outNoBox'], // her own submissions, no grant
  bob: ['inMine'], // in.read on in-box
  carol: ['outAlice', 'outCarol'], // out.send on out-box through her group; her own
  op: ['outAlice', 'outCarol', 'outOther', 'outNoBox'], // queue.read: every outgoing fax
  po: ['inMine', 'inOther', 'outAlice', 'outCarol', 'outOther', 'outNoBox'],
  audi: ['inMine', 'inOther', 'outAlice', 'outCarol', 'outOther', 'outNoBox'], // metadata.read
  admin: ['inMine', 'inOther', 'outAlice', 'outCarol', 'outOther', 'outNoBox'],
  dave: [], // disabled, grants notwithstanding
};
// Content (the pages).
const READS: Record<Viewer, FaxName[]> = {
  alice: ['outAlice'], // owner (a fax without a mailbox has no content access)
  bob: ['inMine'],
  carol: ['outAlice', 'outCarol'],
  op: [],
  po: ['inMine', 'inOther', 'outAlice', 'outCarol', 'outOther'],
  audi: [], // never content, even with a grant
  admin: ['inMine', 'inOther', 'outAlice', 'outCarol', 'outOther'],
  dave: [],
};

let t: MigratedTestDb;
const uid = {} as Record<Viewer, number>;
const fax = {} as Record<FaxName, Fax>;

beforeAll(async () => {
  t = await migratedTestDb();
  const db = t.knex;
  const roles: Record<Viewer, 'user' | 'operator' | 'postoffice' | 'auditor' | 'admin'> = {
    alice: 'user',
    bob: 'user',
    carol: 'user',
    op: 'operator',
    po: 'postoffice',
    audi: 'auditor',
    admin: 'admin',
    dave: 'user',
  };
  for (const [name, role] of Object.entries(roles))
    uid[name as Viewer] = (await users.add(db, { name, roles: [role] })).id;
  const inBox = await mailboxes.add(db, { name: 'in-box', kind: 'incoming' });
  const inOther = await mailboxes.add(db, { name: 'in-other', kind: 'incoming' });
  const outBox = await mailboxes.add(db, { name: 'out-box', kind: 'outgoing' });
  const outOther = await mailboxes.add(db, { name: 'out-other', kind: 'outgoing' });
  await grants.grant(db, { user: 'bob', mailbox: 'in-box', right: 'in.read' });
  await grants.grant(db, { user: 'audi', mailbox: 'in-box', right: 'in.read' });
  await grants.grant(db, { user: 'dave', mailbox: 'in-box', right: 'in.read' });
  await groups.add(db, { name: 'senders' });
  await groups.addMember(db, 'senders', 'carol');
  await grants.grant(db, { group: 'senders', mailbox: 'out-box', right: 'out.send' });
  await users.disable(db, 'dave');
  const mk = (direction: 'in' | 'out', mailboxId: number | null, owner: Viewer | null) =>
    faxes.insert(db, {
      direction,
      state: direction === 'in' ? 'received' : 'pending',
      mailboxId,
      ownerUserId: owner === null ? null : uid[owner],
    });
  fax.inMine = await mk('in', inBox.id, null);
  fax.inOther = await mk('in', inOther.id, null);
  fax.outAlice = await mk('out', outBox.id, 'alice');
  fax.outCarol = await mk('out', outBox.id, 'carol');
  fax.outOther = await mk('out', outOther.id, null);
  fax.outNoBox = await mk('out', null, 'alice');
});

afterAll(async () => {
  await t?.close();
});

const VIEWERS = Object.keys(SEES) as Viewer[];
const FAXES: FaxName[] = ['inMine', 'inOther', 'outAlice', 'outCarol', 'outOther', 'outNoBox'];

describe('fax visibility', () => {
  it.each(VIEWERS)('%s: pure rule, SQL filter and expectation agree on metadata', async (viewer) => {
    const v = await loadViewer(t.knex, uid[viewer]);
    expect(v).not.toBeNull();
    if (!v) return;
    const pure = FAXES.filter((f) => decideFaxMetadata(v, fax[f]));
    expect(pure.sort()).toEqual([...SEES[viewer]].sort());
    for (const f of FAXES)
      expect(await canSeeFax(t.knex, uid[viewer], fax[f])).toBe(SEES[viewer].includes(f));
    for (const direction of [undefined, 'in', 'out'] as const) {
      const q = t.knex('faxes').select('id');
      if (direction) q.where('direction', direction);
      const ids = new Set((await whereFaxVisible(q, v, direction)).map((r: { id: number }) => Number(r.id)));
      const expected = SEES[viewer].filter((f) => direction === undefined || fax[f].direction === direction);
      expect(FAXES.filter((f) => ids.has(fax[f].id)).sort()).toEqual(expected.sort());
    }
  });

  it.each(VIEWERS)('%s: content', async (viewer) => {
    for (const f of FAXES) {
      expect(await canReadFaxContent(t.knex, uid[viewer], fax[f]), `${viewer} reads ${f}`).toBe(
        READS[viewer].includes(f),
      );
    }
  });

  it('mailbox-level metadata follows the same rule', async () => {
    const boxes = await t.knex('mailboxes').select('id', 'name');
    const id = (n: string) => Number(boxes.find((b: { name: string }) => b.name === n)?.id);
    expect(await canReadMetadata(t.knex, 'op', id('out-other'))).toBe(true); // queue.read: all outgoing
    expect(await canReadMetadata(t.knex, 'op', id('in-box'))).toBe(false);
    expect(await canReadMetadata(t.knex, uid.bob, id('in-box'))).toBe(true);
    expect(await canReadMetadata(t.knex, { id: uid.bob }, id('in-other'))).toBe(false);
    expect(await canReadMetadata(t.knex, 'audi', id('in-other'))).toBe(true);
    expect(await canReadMetadata(t.knex, 'dave', id('in-box'))).toBe(false);
    expect(await canReadMetadata(t.knex, 'nobody', id('in-box'))).toBe(false);
    expect(await canReadMetadata(t.knex, 'admin', 2 ** 60)).toBe(false);
  });

  it('an unknown viewer sees nothing', async () => {
    expect(await loadViewer(t.knex, 999_999)).toBeNull();
    expect(await loadViewer(t.knex, 2 ** 60)).toBeNull();
    expect(await canSeeFax(t.knex, 999_999, fax.outOther)).toBe(false);
  });
});
