import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

// An address as the outbox accepts it (gateway/src/mail/address.ts checks the same, and more
// strictly): local part @ domain with a dot, no spaces, angle brackets, commas or line breaks.
// NB: knex.raw treats every ? as a binding placeholder: the patterns are written without it.
export const MAIL_ADDRESS_SQL_PATTERN =
  "^[A-Za-z0-9.!#%&''*+/=^_{|}~-]{1,64}@[A-Za-z0-9-]{1,63}([.][A-Za-z0-9-]{1,63})+$";
const address = (col: string) => `(${col} ~ '${MAIL_ADDRESS_SQL_PATTERN}' AND length(${col}) <= 254)`;

export const MAIL_PURPOSES = [
  'fax.received',
  'fax.result',
  'fax.forward',
  'intake.reply',
  'intake.result',
  'intake.refusal',
] as const;

/**
 * Fax to e-mail (issue 19 item 1): the durable outbox the mail worker delivers through the
 * organisation's relay (a row is the truth across restarts: queued → sending → sent | failed),
 * its attachments, per-mailbox recipients and options, users' own address with opt-in, and
 * the address a fax's result goes to (set by the e-mail intake and the HylaFAX listener).
 */
export const m0080MailOutbox: Migration = {
  name: '0080_mail_outbox',
  async up(knex: Knex) {
    await knex.raw(`
      ALTER TABLE users
        ADD COLUMN email text CHECK (email IS NULL OR ${address('email')}),
        ADD COLUMN mail_opt_in boolean NOT NULL DEFAULT false;
      ALTER TABLE faxes
        ADD COLUMN notify_address text CHECK (notify_address IS NULL OR ${address('notify_address')});
      ALTER TABLE mailboxes
        ADD COLUMN mail_attach_tiff boolean NOT NULL DEFAULT false,
        ADD COLUMN mail_delete_after_forward boolean NOT NULL DEFAULT false;

      CREATE TABLE mailbox_mail_recipients (
        mailbox_id bigint NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        address    text NOT NULL CHECK (${address('address')}),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (mailbox_id, address)
      );

      CREATE TABLE mail_outbox (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        purpose         text NOT NULL CHECK (purpose IN (${MAIL_PURPOSES.map((p) => `'${p}'`).join(', ')})),
        fax_id          bigint REFERENCES faxes(id) ON DELETE SET NULL,
        recipients      text[] NOT NULL CHECK (cardinality(recipients) BETWEEN 1 AND 100),
        subject         text NOT NULL CHECK (length(subject) <= 998),
        body            text NOT NULL,
        in_reply_to     text CHECK (length(in_reply_to) <= 998),
        "references"    text[],
        cause_actor     text,
        cause_reason    text,
        state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
        attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner     text,
        lease_until     timestamptz,
        last_error      text,
        message_id      text,
        relay_response  text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz,
        failed_at       timestamptz
      );
      CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE state IN ('queued', 'sending');
      CREATE INDEX mail_outbox_fax_idx ON mail_outbox (fax_id) WHERE fax_id IS NOT NULL;

      CREATE TABLE mail_outbox_attachments (
        mail_id      bigint NOT NULL REFERENCES mail_outbox(id) ON DELETE CASCADE,
        position     integer NOT NULL CHECK (position >= 0),
        filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
        content_type text NOT NULL CHECK (length(content_type) BETWEEN 3 AND 255),
        content      bytea NOT NULL,
        PRIMARY KEY (mail_id, position)
      );
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      DROP TABLE IF EXISTS mail_outbox_attachments, mail_outbox, mailbox_mail_recipients;
      ALTER TABLE mailboxes DROP COLUMN IF EXISTS mail_attach_tiff, DROP COLUMN IF EXISTS mail_delete_after_forward;
      ALTER TABLE faxes DROP COLUMN IF EXISTS notify_address;
      ALTER TABLE users DROP COLUMN IF EXISTS email, DROP COLUMN IF EXISTS mail_opt_in;
    `);
  },
};
