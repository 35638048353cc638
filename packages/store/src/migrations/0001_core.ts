// Core schema: users, roles, groups, memberships, mailboxes and their numbers, grants,
// faxes, fax pages, configuration history.
import type { Knex } from 'knex';
import type { Migration } from '../migrate.js';
// NB: knex.raw treats every ? as a binding placeholder: write regexes without it.
import { FAX_STATES, MAILBOX_KINDS, MAILBOX_RIGHTS, ROLES } from '../model.js';

const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');

export const m0001Core: Migration = {
  name: '0001_core',
  async up(knex: Knex) {
    await knex.raw(`
      CREATE TABLE users (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name          text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
        display_name  text NOT NULL DEFAULT '',
        password_hash text,
        disabled      boolean NOT NULL DEFAULT false,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE user_roles (
        user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role       text NOT NULL CHECK (role IN (${list(ROLES)})),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, role)
      );
      CREATE TABLE groups (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
        description text NOT NULL DEFAULT '',
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE group_members (
        group_id   bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, user_id)
      );
      CREATE INDEX group_members_user_idx ON group_members (user_id);

      CREATE TABLE mailboxes (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
        kind        text NOT NULL CHECK (kind IN (${list(MAILBOX_KINDS)})),
        description text NOT NULL DEFAULT '',
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, kind)
      );
      -- A fax number belongs to at most one mailbox per kind (one incoming, one outgoing).
      CREATE TABLE mailbox_numbers (
        mailbox_id bigint NOT NULL,
        kind       text NOT NULL,
        number     text NOT NULL CHECK (number ~ '^[+]{0,1}[0-9]{1,32}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (mailbox_id, kind) REFERENCES mailboxes(id, kind) ON DELETE CASCADE,
        PRIMARY KEY (kind, number)
      );
      CREATE INDEX mailbox_numbers_mailbox_idx ON mailbox_numbers (mailbox_id);

      -- A grant gives one right on one mailbox to a user or (the rule, M 2.179) a group.
      -- The right must match the mailbox kind: enforced by the composite foreign key + CHECK.
      CREATE TABLE grants (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id      bigint REFERENCES users(id) ON DELETE CASCADE,
        group_id     bigint REFERENCES groups(id) ON DELETE CASCADE,
        mailbox_id   bigint NOT NULL,
        mailbox_kind text NOT NULL,
        "right"      text NOT NULL CHECK ("right" IN (${list(MAILBOX_RIGHTS)})),
        created_at   timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (mailbox_id, mailbox_kind) REFERENCES mailboxes(id, kind) ON DELETE CASCADE,
        CHECK ((user_id IS NULL) <> (group_id IS NULL)),
        CHECK ((mailbox_kind = 'incoming' AND "right" LIKE 'in.%')
            OR (mailbox_kind = 'outgoing' AND "right" LIKE 'out.%'))
      );
      CREATE UNIQUE INDEX grants_user_uq ON grants (user_id, mailbox_id, "right") WHERE user_id IS NOT NULL;
      CREATE UNIQUE INDEX grants_group_uq ON grants (group_id, mailbox_id, "right") WHERE group_id IS NOT NULL;
      CREATE INDEX grants_mailbox_idx ON grants (mailbox_id);

      CREATE TABLE faxes (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        direction         text NOT NULL CHECK (direction IN ('in', 'out')),
        state             text NOT NULL CHECK (state IN (${list(FAX_STATES)})),
        mailbox_id        bigint REFERENCES mailboxes(id),
        owner_user_id     bigint REFERENCES users(id),
        local_number      text,
        remote_number     text,
        remote_station_id text,
        job_tag           text,
        subject           text,
        priority          integer NOT NULL DEFAULT 127 CHECK (priority BETWEEN 0 AND 255),
        internal          boolean NOT NULL DEFAULT false,
        pages_total       integer NOT NULL DEFAULT 0 CHECK (pages_total >= 0),
        pages_done        integer NOT NULL DEFAULT 0 CHECK (pages_done >= 0),
        resolution        integer,
        tries             integer NOT NULL DEFAULT 0,
        max_tries         integer,
        dials             integer NOT NULL DEFAULT 0,
        max_dials         integer,
        not_before        timestamptz,
        kill_at           timestamptz,
        started_at        timestamptz,
        completed_at      timestamptz,
        line              text,
        commid            text,
        cause             text,
        cause_text        text,
        idempotency_key   text UNIQUE,
        metadata          jsonb NOT NULL DEFAULT '{}'::jsonb,
        version           integer NOT NULL DEFAULT 1,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX faxes_state_idx ON faxes (state) WHERE state NOT IN ('done', 'failed', 'rejected', 'deleted', 'delivered');
      CREATE INDEX faxes_mailbox_idx ON faxes (mailbox_id, created_at);
      CREATE INDEX faxes_owner_idx ON faxes (owner_user_id, created_at);

      CREATE TABLE fax_pages (
        fax_id      bigint NOT NULL REFERENCES faxes(id) ON DELETE CASCADE,
        page_no     integer NOT NULL CHECK (page_no >= 1),
        width       integer,
        height      integer,
        y_resolution integer,
        encoding    text NOT NULL DEFAULT 'mmr',
        tiff        bytea NOT NULL,
        sha256      text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (fax_id, page_no)
      );

      CREATE TABLE config_versions (
        version    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        author     text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        content    text NOT NULL,
        diff       text NOT NULL,
        comment    text NOT NULL DEFAULT ''
      );
    `);
  },
  async down(knex: Knex) {
    await knex.raw(`
      DROP TABLE IF EXISTS config_versions, fax_pages, faxes, grants, mailbox_numbers, mailboxes,
        group_members, groups, user_roles, users CASCADE;
    `);
  },
};
