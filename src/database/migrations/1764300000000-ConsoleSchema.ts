import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the agent console and the web-chat widget add: canned responses per competence group,
 * the citizen's privacy consents and the contacts they left (an append-only history, the latest
 * row per purpose is the current state). (Opening hours are the comune's business calendar.)
 */
export class ConsoleSchema1764300000000 implements MigrationInterface {
  name = 'ConsoleSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE canned_responses (
        id          serial PRIMARY KEY,
        comune_id   integer NOT NULL REFERENCES comuni(id) ON DELETE CASCADE,
        group_id    integer NOT NULL,
        shortcut    text NOT NULL CHECK (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
        title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
        body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
        created_by  integer REFERENCES operators(id) ON DELETE SET NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (group_id, shortcut),
        FOREIGN KEY (group_id, comune_id) REFERENCES competence_groups(id, comune_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX canned_responses_comune ON canned_responses (comune_id, group_id)`);

    await q.query(`
      CREATE TABLE citizen_consents (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        citizen_id   bigint NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
        comune_id    integer NOT NULL REFERENCES comuni(id) ON DELETE CASCADE,
        ticket_id    bigint REFERENCES tickets(id) ON DELETE SET NULL,
        purpose      text NOT NULL CHECK (purpose IN ('privacy', 'updates')),
        granted      boolean NOT NULL,
        source       text NOT NULL,
        -- The contact the citizen asked to be updated on, as they typed it (not a verified identity).
        contact      text,
        recorded_by  integer REFERENCES operators(id) ON DELETE SET NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX citizen_consents_citizen ON citizen_consents (citizen_id, purpose, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS citizen_consents`);
    await q.query(`DROP TABLE IF EXISTS canned_responses`);
  }
}
