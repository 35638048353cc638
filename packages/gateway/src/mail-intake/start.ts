// The daemon's e-mail intake (gateway.ts): started when mailIntake.enabled, with the parts the
// API's submission uses — the same router (currentRouter), queue, settings, render loader and
// disk guard — so a mailed fax takes exactly the API's path.
import type { Db } from '@faxgate/store';
import { currentRouter } from '../api/routes/faxes.js';
import type { FaxgateConfig } from '../config/schema.js';
import type { DocumentLoader } from '../documents/load-pages.js';
import type { Logger } from '../logger.js';
import type { SendQueue } from '../pipeline/queue.js';
import type { QueueSettings } from '../pipeline/settings.js';
import { type MailIntake, startMailIntake } from './intake.js';

export function startGatewayMailIntake(o: {
  config: FaxgateConfig;
  db: Db;
  documents: DocumentLoader;
  queue?: SendQueue;
  settings: QueueSettings;
  disk?: { refusal(): string | undefined };
  log: Logger;
  actor: string;
}): MailIntake | undefined {
  if (!o.config.mailIntake.enabled) return undefined;
  return startMailIntake({
    db: o.db,
    config: () => o.config.mailIntake,
    log: o.log,
    context: (cfg) => ({
      db: o.db,
      config: cfg,
      documents: o.documents,
      router: () => currentRouter({ db: o.db, config: o.config }),
      submit: { queue: o.queue, settings: o.settings },
      actor: o.actor,
      ownMessageIdDomains: [],
      refusal: o.disk && (() => o.disk?.refusal()),
    }),
  });
}
