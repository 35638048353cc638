// The send/receive log (M 5.25): every column of HylaFAX's xferfaxlog, with UTC times,
// the authenticated owner and the fax id. Append-only like the audit trail.
// NB: knex.raw treats every ? as a binding placeholder: none may appear in this SQL.
import type { Knex, Migration } from '@faxgate/store';

export const m0101XferLog: Migration = {
  name: '0101_xfer_log',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE xfer_log (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time            timestamptz NOT NULL,
        type            text NOT NULL CHECK (type IN ('SEND', 'RECV', 'CALL', 'SUBMIT', 'UNSENT', 'POLL', 'PROXY', 'PAGE')),
        commid          text NOT NULL DEFAULT '',
        device          text NOT NULL DEFAULT '',
        jobid           text NOT NULL DEFAULT '',
        jobtag          text NOT NULL DEFAULT '',
        sender          text NOT NULL DEFAULT '',
        dest            text NOT NULL DEFAULT '',
        remote_station  text NOT NULL DEFAULT '',
        params          bigint NOT NULL DEFAULT 0 CHECK (params >= 0),
        npages          integer NOT NULL DEFAULT 0 CHECK (npages >= 0),
        jobtime_s       integer NOT NULL DEFAULT 0,
        conntime_s      integer NOT NULL DEFAULT 0,
        reason          text NOT NULL DEFAULT '',
        cid_name        text NOT NULL DEFAULT '',
        cid_number      text NOT NULL DEFAULT '',
        call_ids        text[] NOT NULL DEFAULT '{}',
        owner           text NOT NULL DEFAULT '',
        dcs             text NOT NULL DEFAULT '',
        totpages        integer,
        ntries          integer,
        ndials          integer,
        totdials        integer,
        maxdials        integer,
        tottries        integer,
        maxtries        integer,
        owner_user_id   bigint,
        fax_id          bigint,
        mailbox_id      bigint,
        result_code     text NOT NULL DEFAULT '',
        recorded_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX xfer_log_time_idx ON xfer_log (time);
      CREATE INDEX xfer_log_fax_idx ON xfer_log (fax_id) WHERE fax_id IS NOT NULL;

      CREATE TRIGGER xfer_log_append_only BEFORE UPDATE OR DELETE ON xfer_log
        FOR EACH ROW EXECUTE FUNCTION faxgate_refuse_change();
      CREATE TRIGGER xfer_log_no_truncate BEFORE TRUNCATE ON xfer_log
        FOR EACH STATEMENT EXECUTE FUNCTION faxgate_refuse_change();
      ALTER TABLE xfer_log ENABLE ALWAYS TRIGGER xfer_log_append_only;
      ALTER TABLE xfer_log ENABLE ALWAYS TRIGGER xfer_log_no_truncate;
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS xfer_log');
  },
};
