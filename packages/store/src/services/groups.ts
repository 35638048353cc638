// Groups and memberships. Rights are granted to groups as the rule (M 2.179).
import type { Db } from '../db.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { checkId, checkNoControl } from '../names.js';
import { checkName, type Ref, resolveId } from './refs.js';

export interface Group {
  id: number;
  name: string;
  description: string;
  /** Member user names, sorted. */
  members: string[];
  createdAt: Date;
}

interface GroupRow {
  id: number;
  name: string;
  description: string;
  created_at: Date;
  members: string[] | null;
}

function groupQuery(db: Db) {
  return db({ g: 'groups' })
    .select('g.id', 'g.name', 'g.description', 'g.created_at')
    .select(
      db.raw(`COALESCE((SELECT array_agg(u.name ORDER BY u.name) FROM group_members m
               JOIN users u ON u.id = m.user_id WHERE m.group_id = g.id), '{}') AS members`),
    );
}

function toGroup(row: GroupRow): Group {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    members: row.members ?? [],
    createdAt: row.created_at,
  };
}

export async function find(db: Db, ref: Ref): Promise<Group | null> {
  const row = await groupQuery(db)
    .where(
      typeof ref === 'number'
        ? { 'g.id': checkId('group', ref) }
        : { 'g.name': checkNoControl('group name', ref) },
    )
    .first();
  return row ? toGroup(row) : null;
}

export async function get(db: Db, ref: Ref): Promise<Group> {
  const g = await find(db, ref);
  if (!g) throw new NotFoundError('group', ref);
  return g;
}

export async function list(db: Db): Promise<Group[]> {
  return ((await groupQuery(db).orderBy('g.name')) as GroupRow[]).map(toGroup);
}

export async function add(db: Db, input: { name: string; description?: string }): Promise<Group> {
  const name = checkName('group', input.name);
  const [row] = await db('groups')
    .insert({ name, description: input.description ?? '' })
    .onConflict('name')
    .ignore()
    .returning('id');
  if (!row) throw new ConflictError(`group ${JSON.stringify(name)} already exists`);
  return get(db, row.id as number);
}

/** Adds a user to a group; returns false when it already was a member. */
export async function addMember(db: Db, group: Ref, user: Ref): Promise<boolean> {
  const groupId = await resolveId(db, 'groups', 'group', group);
  const userId = await resolveId(db, 'users', 'user', user);
  const rows = await db('group_members')
    .insert({ group_id: groupId, user_id: userId })
    .onConflict(['group_id', 'user_id'])
    .ignore()
    .returning('user_id');
  return rows.length > 0;
}

/** Removes a user from a group; returns false when it was not a member. */
export async function removeMember(db: Db, group: Ref, user: Ref): Promise<boolean> {
  const groupId = await resolveId(db, 'groups', 'group', group);
  const userId = await resolveId(db, 'users', 'user', user);
  return (await db('group_members').where({ group_id: groupId, user_id: userId }).delete()) > 0;
}

/** Groups a user belongs to (names, sorted). */
export async function listForUser(db: Db, user: Ref): Promise<string[]> {
  const userId = await resolveId(db, 'users', 'user', user);
  const rows = await db({ m: 'group_members' })
    .join({ g: 'groups' }, 'g.id', 'm.group_id')
    .where('m.user_id', userId)
    .orderBy('g.name')
    .select('g.name');
  return rows.map((r: { name: string }) => r.name);
}

/** Deletes a group (its memberships and grants go with it). */
export async function remove(db: Db, group: Ref): Promise<void> {
  const id = await resolveId(db, 'groups', 'group', group);
  await db('groups').where({ id }).delete();
}
