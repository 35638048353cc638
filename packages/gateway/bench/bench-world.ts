// What both pipeline benchmarks send from: one user with an outgoing mailbox it may send
// from, the fax post office, and a Berlin numbering plan routing over those mailboxes.
import { createRouter, type MailboxInput, type Router } from '@faxgate/router';
import { grants, type Knex, type Mailbox, mailboxes, type User, users } from '@faxgate/store';

export interface BenchWorld {
  user: User;
  out: Mailbox;
  router: Router<MailboxInput>;
}

export async function seedBenchWorld(db: Knex): Promise<BenchWorld> {
  const user = await users.add(db, { name: 'bench', roles: ['user'] });
  const out = await mailboxes.add(db, { name: 'bench-out', kind: 'outgoing' });
  await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(db, { user: 'bench', mailbox: 'bench-out', right: 'out.send' });
  const router = createRouter(
    {
      numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
      inbound: { default: 'postoffice' },
    },
    (await mailboxes.list(db)).map((m) => ({ id: m.id, name: m.name, kind: m.kind, numbers: m.numbers })),
  );
  return { user, out, router };
}
