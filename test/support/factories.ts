import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service.js';
import { TEST_PASSWORD } from './env.js';

let hash: Promise<string> | undefined;

export async function comuneId(ds: DataSource, slug: string): Promise<number> {
  const [c] = await ds.query(`SELECT id FROM comuni WHERE slug = $1`, [slug]);
  if (!c) throw new Error(`no comune ${slug}`);
  return c.id;
}

export async function groupId(ds: DataSource, slug: string, code: string): Promise<number> {
  const [g] = await ds.query(`SELECT g.id FROM competence_groups g JOIN comuni c ON c.id = g.comune_id WHERE c.slug = $1 AND g.code = $2`, [
    slug,
    code,
  ]);
  return g.id;
}

/** A new operator of a comune, member of the given groups, with the test password. */
export async function createOperator(
  ds: DataSource,
  o: { comune: string; groups: string[]; capacity?: number; role?: 'operator' | 'supervisor' | 'manager'; name?: string },
): Promise<{ id: number; email: string }> {
  hash ??= AuthService.hashPassword(TEST_PASSWORD);
  const cid = await comuneId(ds, o.comune);
  const email = `op-${randomBytes(4).toString('hex')}@${o.comune}.test`;
  const [op] = await ds.query(
    `INSERT INTO operators (comune_id, email, name, password_hash, role, capacity) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [cid, email, o.name ?? email, await hash, o.role ?? 'operator', o.capacity ?? 5],
  );
  for (const code of o.groups) {
    await ds.query(`INSERT INTO operator_groups (operator_id, group_id, comune_id) VALUES ($1, $2, $3)`, [
      op.id,
      await groupId(ds, o.comune, code),
      cid,
    ]);
  }
  return { id: op.id, email };
}

/** Takes the demo operators of a comune off duty so a test controls exactly who is online. */
export async function everyoneOffline(ds: DataSource): Promise<void> {
  await ds.query(`UPDATE operators SET presence = 'offline'`);
}

export async function ticketByReference(ds: DataSource, reference: string): Promise<any> {
  const [t] = await ds.query(`SELECT * FROM tickets WHERE reference = $1`, [reference]);
  return t;
}
