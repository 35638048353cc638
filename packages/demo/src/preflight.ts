// Checks before the demo starts anything of the gateway's: is the API port free, and would
// the demo's send queue pick up faxes that are not the demo's.
import net from 'node:net';
import { QUEUED_STATES } from '@faxgate/gateway';
import type { Knex } from '@faxgate/store';

/** Whether `host:port` can be bound now (EADDRINUSE → false; anything else is thrown). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EADDRINUSE' ? resolve(false) : reject(e),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The demo's reconciler queues every waiting outgoing fax of its database (PostgreSQL is the
 * truth) and would "send" it to the simulator. In a database with waiting faxes of real
 * mailboxes the demo therefore refuses to start.
 */
export async function refuseForeignQueue(db: Knex): Promise<void> {
  const [{ count }] = await db('faxes')
    .leftJoin('mailboxes', 'mailboxes.id', 'faxes.mailbox_id')
    .where('faxes.direction', 'out')
    .whereIn('faxes.state', [...QUEUED_STATES, 'running'])
    .where((q) => q.whereNull('mailboxes.name').orWhere('mailboxes.name', '<>', 'demo-out'))
    .count<{ count: number }[]>('* as count');
  if (count > 0) {
    throw new Error(
      `this database holds ${count} outgoing fax(es) waiting to be sent from mailboxes other than demo-out; ` +
        'the demo would send them to its simulated exchange. Give the demo a database of its own, e.g. ' +
        '`createdb -h 127.0.0.1 -U postgres faxgate_demo`, then ' +
        '`FAXGATE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/faxgate_demo npm start`',
    );
  }
}
