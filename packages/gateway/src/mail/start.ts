// Fax to e-mail in the daemon (mail.enabled): the fax mailer turns fax outcomes from the
// audit trail into outbox rows, the worker delivers them; "delete after forwarding" runs
// after each accepted mail. Off: nothing is started and queued rows wait.
import type { Db } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { deleteIfForwarded } from './delete-after-forward.js';
import { startFaxMailer } from './fax-events.js';
import { startMailWorker } from './worker.js';

export interface GatewayMail {
  stop(): Promise<void>;
}

export function startGatewayMail(opts: {
  config: FaxgateConfig;
  db: Db;
  log: Logger;
  actor: string;
}): GatewayMail | undefined {
  const { config, db, log, actor } = opts;
  if (!config.mail.enabled) return undefined;
  const mailer = startFaxMailer({ config: config.mail, db, log });
  const worker = startMailWorker({
    config: config.mail,
    db,
    log,
    actor,
    databaseUrl: config.database.url,
    async onSent(mail) {
      if (mail.faxId !== null && (mail.purpose === 'fax.received' || mail.purpose === 'fax.forward')) {
        if (await deleteIfForwarded(db, mail.faxId))
          log.info(`fax ${mail.faxId} deleted after forwarding by e-mail`);
      }
    },
  });
  const smtp = config.mail.smtp;
  log.info(
    `mail: through ${smtp.host}:${smtp.port} (${smtp.tls}${smtp.user ? `, AUTH as ${smtp.user}` : ''})`,
  );
  return {
    async stop() {
      await mailer.stop();
      await worker.stop();
    },
  };
}
