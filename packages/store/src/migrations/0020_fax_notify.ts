import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/** The channel every committed change of a fax's state is announced on (payload: `<id> <state>`). */
export const FAX_CHANNEL = 'faxgate_faxes';

/**
 * Live views without polling (the web console's event stream): a row trigger on `faxes`
 * sends `NOTIFY faxgate_faxes, '<id> <state>'` when a fax is created or its state changes —
 * whoever changed it (any gateway node, the CLI, psql). PostgreSQL delivers it at commit and
 * drops it on rollback; a fax that changes twice in one transaction announces both states.
 */
export const m0020FaxNotify: Migration = {
  name: '0020_fax_notify',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE FUNCTION faxgate_fax_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${FAX_CHANNEL}', NEW.id::text || ' ' || NEW.state);
        RETURN NULL;
      END $$;
    `);
    await knex.raw(`
      CREATE TRIGGER faxes_insert_notify
        AFTER INSERT ON faxes FOR EACH ROW EXECUTE FUNCTION faxgate_fax_notify();
    `);
    await knex.raw(`
      CREATE TRIGGER faxes_state_notify
        AFTER UPDATE OF state ON faxes
        FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION faxgate_fax_notify();
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TRIGGER IF EXISTS faxes_state_notify ON faxes');
    await knex.raw('DROP TRIGGER IF EXISTS faxes_insert_notify ON faxes');
    await knex.raw('DROP FUNCTION IF EXISTS faxgate_fax_notify()');
  },
};
