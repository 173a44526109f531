import type { Knex } from 'knex';
import { hiddenFrom } from './private-rooms.js';
import { hideBlockedAuthors, selectMessages, toMessageRow, type MessageRow } from './messages.js';

export interface SearchOptions {
  /** Words from searchTerms(): letters and digits only. */
  terms: string[];
  /** The user searching: public rooms and their own direct message rooms, minus whom they block. */
  reader: number;
  room?: string;
  limit: number;
}

/** The FTS5 MATCH expression: each word a quoted string (no operator inside), prefix-matched. */
const ftsExpression = (terms: string[]): string => terms.map((t) => `"${t}"*`).join(' ');

/** The to_tsquery expression: each word prefix-matched, all of them required. */
const tsqueryExpression = (terms: string[]): string => terms.map((t) => `${t}:*`).join(' & ');

/**
 * Messages matching every term, newest first, through the database's full-text index (FTS5 on
 * SQLite, the tsvector GIN index on PostgreSQL). The expression is a bound parameter, built
 * from words that hold no operator, so a query can neither reach the SQL nor the index's syntax.
 */
export async function searchMessages(db: Knex, options: SearchOptions): Promise<MessageRow[]> {
  const query = selectMessages(db).limit(options.limit);
  if (db.client.config.client === 'pg') {
    query
      .whereRaw(`messages.search @@ to_tsquery('simple', ?)`, [tsqueryExpression(options.terms)])
      .orderBy('messages.id', 'desc');
  } else {
    // Driven by the index, which hands its matches out newest first by itself.
    query
      .joinRaw('JOIN messages_fts ON messages_fts.rowid = messages.id')
      .whereRaw('messages_fts MATCH ?', [ftsExpression(options.terms)])
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
  }
  hideBlockedAuthors(query, db, options.reader);
  const rows: Record<string, unknown>[] = await query;
  return rows.map(toMessageRow);
}
