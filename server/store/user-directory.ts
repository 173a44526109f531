import type { Knex } from 'knex';
import { toUser, type UserRow } from './users.js';

/*
 * The admin's list of accounts: newest first, paged by id (never OFFSET: a page is an index range
 * whatever its depth, and accounts signing up meanwhile land before the first page, moving
 * nothing), optionally narrowed to a prefix of the username or the email.
 */

/** LIKE's own characters made literal, with `\` as the escape character. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The highest code point: every string that starts with `prefix` sorts below prefix + this in
 * binary order (SQLite's default, PostgreSQL's "C"), so the prefix becomes an index range.
 */
const TOP = '\u{10FFFF}';

/**
 * A prefix match on one column as an index range. The LIKE keeps the answer exact; the range lets
 * SQLite use the column's index (it will not for a LIKE with ESCAPE by itself). PostgreSQL finds
 * the range in the LIKE through the text_pattern_ops index (migration 016), whatever the
 * database's collation, so there the LIKE stands alone.
 */
function prefixOf(db: Knex, q: Knex.QueryBuilder, column: 'username' | 'email', prefix: string): void {
  const pattern = `${escapeLike(prefix)}%`;
  if (db.client.config.client === 'pg') {
    q.whereRaw(`?? LIKE ? ESCAPE '\\'`, [column, pattern]);
  } else {
    q.where(column, '>=', prefix)
      .where(column, '<', prefix + TOP)
      .whereRaw(`?? LIKE ? ESCAPE '\\'`, [column, pattern]);
  }
}

export interface DirectoryPage {
  /** Lower-case prefix of the username or the email; empty or absent: everyone. */
  prefix?: string;
  /** Only accounts with an id below this. */
  before?: number;
  limit: number;
}

/** One page of accounts, newest first. */
export async function listUsers(db: Knex, page: DirectoryPage): Promise<UserRow[]> {
  const query = db('users').orderBy('id', 'desc').limit(page.limit);
  if (page.before !== undefined) query.where('id', '<', page.before);
  const prefix = page.prefix;
  if (prefix) {
    query.where((either) =>
      either
        .where((q) => prefixOf(db, q, 'username', prefix))
        .orWhere((q) => prefixOf(db, q, 'email', prefix)),
    );
  }
  const rows: Record<string, unknown>[] = await query;
  return rows.map((row) => toUser(row)!);
}
