import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';

/**
 * Credentials of the REST API: login sessions for people and API tokens for machines.
 * Only a SHA-256 of each secret is stored (the secrets are 256-bit random, so a plain hash
 * is enough; a database dump yields no usable token). Rows are revoked, never deleted,
 * so who could act when stays answerable.
 */
export const m0002Credentials: Migration = {
  name: '0002_credentials',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE credentials (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind         text NOT NULL CHECK (kind IN ('session', 'token')),
        user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name         text NOT NULL DEFAULT '' CHECK (length(name) <= 128),
        secret_hash  text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz,
        last_used_at timestamptz,
        revoked_at   timestamptz,
        remote_addr  text,
        CHECK (kind = 'token' OR expires_at IS NOT NULL)
      );
      CREATE INDEX credentials_user_idx ON credentials (user_id, kind) WHERE revoked_at IS NULL;
    `);
  },
  async down(knex: Knex) {
    await knex.raw('DROP TABLE IF EXISTS credentials');
  },
};
