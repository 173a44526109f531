import type { Knex } from 'knex';
import { hiddenFrom } from './private-rooms.js';
import { bannedFrom } from './room-sanctions.js';
import { hideBlockedAuthors, selectMessages, toMessageRow, type MessageRow } from './messages.js';

export interface SearchOptions {
  /** Words from searchTerms(): letters and digits only. */
  terms: string[];
  /** The user searching: public rooms and their own direct message rooms, minus whom they block. */
  reader: number;
  /** Now (ms): rooms the reader is banned from at this time are left out. */
  now: number;
  room?: string;
  limit: number;
}

/** Words up to this long have a prefix index of their own (migration 022). */
const PREFIX_INDEXED_MAX = 3;

/**
 * A longer word is asked as itself OR each longer word in the index it starts, up to this many;
 * past it, as a prefix (the same matches, from a list FTS5 merges in memory).
 */
export const SEARCH_EXPANSION_MAX = 40;

/**
 * The FTS5 MATCH expression, as SQL: each word a quoted string (no operator inside), matched as a
 * prefix, all of them required.
 *
 * FTS5 reads a word, or a prefix with its own index, newest first and stops at the limit; any
 * other prefix it first merges from the whole index. So a word longer than the prefix indexes
 * becomes `("word" OR "words" OR "wordy")`, the longer words read from `messages_fts_terms` in
 * the same statement (the same snapshot: no word stored in between is missed). That lookup
 * starts past the word itself and reads only the longer words. It is taken only when it means
 * exactly what the prefix does: for a word of ASCII letters and digits (which the tokenizer keeps
 * as they are; others it may fold, `é` to `e`), when every longer word is such a word too, and
 * when there are at most SEARCH_EXPANSION_MAX of them.
 */
function ftsMatch(terms: string[]): { sql: string; bindings: string[] } {
  const pieces: string[] = [];
  const bindings: string[] = [];
  for (const term of terms) {
    const prefix = `"${term}"*`;
    if (term.length <= PREFIX_INDEXED_MAX || !/^[a-z0-9]+$/.test(term)) {
      pieces.push('?');
      bindings.push(prefix);
      continue;
    }
    pieces.push(
      `(SELECT CASE WHEN count(*) > ${SEARCH_EXPANSION_MAX} OR max(term GLOB '*[^a-z0-9]*') THEN ?
          ELSE '(' || ? || coalesce(group_concat(' OR "' || term || '"', ''), '') || ')' END
        FROM (SELECT term FROM messages_fts_terms WHERE term >= ? AND term <= ?
          LIMIT ${SEARCH_EXPANSION_MAX + 1}))`,
    );
    // Past the word itself (no word holds U+0001), up to the last word that starts with it.
    bindings.push(prefix, `"${term}"`, `${term}\u0001`, `${term}\u{10FFFF}`);
  }
  return { sql: pieces.join(` || ' AND ' || `), bindings };
}

/** The to_tsquery expression: each word prefix-matched, all of them required. */
const tsqueryExpression = (terms: string[]): string => terms.map((t) => `${t}:*`).join(' & ');

/**
 * Messages matching every term, newest first, through the database's full-text index (FTS5 on
 * SQLite, the tsvector GIN index on PostgreSQL). The expression is built from bound parameters
 * and words that hold no operator (the index's own words only when they are ASCII letters and
 * digits), so a query can neither reach the SQL nor the index's syntax.
 */
export async function searchMessages(db: Knex, options: SearchOptions): Promise<MessageRow[]> {
  const query = selectMessages(db).limit(options.limit);
  if (db.client.config.client === 'pg') {
    query
      .whereRaw(`messages.search @@ to_tsquery('simple', ?)`, [tsqueryExpression(options.terms)])
      .orderBy('messages.id', 'desc');
  } else {
    // Driven by the index, which hands its matches out newest first by itself.
    const match = ftsMatch(options.terms);
    query
      .joinRaw('JOIN messages_fts ON messages_fts.rowid = messages.id')
      .whereRaw(`messages_fts MATCH (${match.sql})`, match.bindings)
      .orderByRaw('messages_fts.rowid DESC');
  }
  if (options.room !== undefined) {
    query.where('messages.room', options.room);
  } else {
    // Direct message rooms are `dm:<smaller id>-<larger id>`: the reader's own are these two shapes.
    query.where((q) =>
      q
        .whereNot('messages.room', 'like', 'dm:%')
        .orWhere('messages.room', 'like', `dm:${options.reader}-%`)
        .orWhere('messages.room', 'like', `dm:%-${options.reader}`),
    );
    // Private rooms the reader is not in are not there for them.
    query.whereNotIn('messages.room', hiddenFrom(db, options.reader));
    // Nor are the rooms a moderator banned them from, while the ban holds.
    query.whereNotIn('messages.room', bannedFrom(db, options.reader, options.now));
  }
  hideBlockedAuthors(query, db, options.reader);
  const rows: Record<string, unknown>[] = await query;
  return rows.map(toMessageRow);
}
