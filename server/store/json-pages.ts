import type { Knex } from 'knex';

/**
 * Rows written as JSON by the database itself, for the account export. A heavy account exports
 * hundreds of thousands of rows; turned into objects, mapped and stringified in Node, that was
 * most of the export's cost, all of it on the event loop every other request shares (four exports
 * of 250k messages kept it busy 77% of the time, and /api/me's p99 went from 6.5 to 64 ms).
 * SQLite builds the text on a thread of the pool, PostgreSQL in its own process; the server only
 * passes each page's one string on.
 */

/** Rows as the inside of a JSON array (`{...},{...}`), and how many. */
export interface JsonRows {
  json: string;
  rows: number;
}

/** One page of rows in id order, and the id of its last row: where the next page starts. */
export interface JsonPage extends JsonRows {
  lastId: number;
}

/**
 * A field of the JSON objects: the column it shows; `{ time }`, a column of milliseconds since
 * the epoch (or null) shown as ISO 8601 in UTC, exactly as `Date.prototype.toISOString` writes
 * it; or `{ is, equalTo }`, true when the column holds that value.
 */
export type JsonField = string | { time: string } | { is: string; equalTo: string | number };

export type JsonOrder = [field: string, direction: 'asc' | 'desc'][];

/**
 * The rows of `rows` (a query with its conditions and limit, no select) as JSON objects with
 * exactly `fields`, in that order: a column left out cannot reach the JSON. The objects follow
 * `order`, given by field names.
 */
export async function jsonRows(
  db: Knex,
  rows: Knex.QueryBuilder,
  fields: Record<string, JsonField>,
  order: JsonOrder,
): Promise<JsonRows> {
  const [row] = await jsonSelect(db, rows, fields, order, '');
  return { json: row?.json ?? '', rows: Number(row?.row_count ?? 0) };
}

/**
 * One page of `rows` (ordered by id in `direction`, with a limit), as jsonRows writes it;
 * `fields` must show `id` as `id`.
 */
export async function jsonPage(
  db: Knex,
  rows: Knex.QueryBuilder,
  fields: Record<string, JsonField> & { id: string },
  direction: 'asc' | 'desc',
): Promise<JsonPage> {
  const last = direction === 'asc' ? 'max' : 'min';
  const [row] = await jsonSelect(db, rows, fields, [['id', direction]], `, ${last}(page.id) as last_id`);
  return { json: row?.json ?? '', rows: Number(row?.row_count ?? 0), lastId: Number(row?.last_id ?? 0) };
}

interface Aggregated {
  json: string | null;
  row_count: number | string;
  last_id?: number | string | null;
}

function jsonSelect(
  db: Knex,
  rows: Knex.QueryBuilder,
  fields: Record<string, JsonField>,
  order: JsonOrder,
  more: string,
): Promise<Aggregated[]> {
  const pg = db.client.config.client === 'pg';
  const names = Object.keys(fields);
  const shown = rows.select(
    names.map((name) => {
      const field = fields[name]!;
      if (typeof field === 'string') return db.raw('?? as ??', [field, name]);
      if ('time' in field) return db.raw(`${pg ? PG_ISO : SQLITE_ISO} as ??`, [field.time, name]);
      return db.raw('(?? = ?) as ??', [field.is, field.equalTo, name]);
    }),
  );
  const ordered = order.map(
    ([name, direction]) => `page.${quoted(name)} ${direction === 'asc' ? 'asc' : 'desc'}`,
  );
  // row_to_json writes the row's columns with no spaces; string_agg and group_concat join the
  // objects in order (an aggregate does not keep the order of the rows it reads without it).
  // SQLite has no boolean: a comparison is 0 or 1, written as false or true here. Its text comes
  // back as a string, not a blob: a page (about 65 KB) is a string in the young generation, gone
  // in the next scavenge (about 1 ms). A Buffer's bytes are outside the heap, but V8 counts them
  // against the old generation's limit, and the Buffers' small objects fill the young generation
  // so slowly that their bytes piled up until a full mark-compact: during four large exports one
  // every 200 ms, each with up to 20 ms of the event loop's time (bench/growth.ts, export case).
  const objects = pg
    ? `string_agg(row_to_json(page)::text, ',' order by ${ordered.join(', ')})`
    : `group_concat(json_object(${names
        .map((name) => {
          const field = fields[name]!;
          const value = `page.${quoted(name)}`;
          return `?, ${typeof field === 'object' && 'is' in field ? `json(case when ${value} then 'true' else 'false' end)` : value}`;
        })
        .join(', ')}), ',' order by ${ordered.join(', ')})`;
  return db
    .select(db.raw(`${objects} as json, count(*) as row_count${more}`, pg ? [] : names))
    .from(shown.as('page')) as unknown as Promise<Aggregated[]>;
}

/** A field name as an SQL identifier: the names are the code's own, never a caller's. */
function quoted(name: string): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`not a field name: ${name}`);
  return `"${name}"`;
}

// Milliseconds to `2026-11-30T09:40:12.345Z`. SQLite's `%f` is seconds with three decimals;
// PostgreSQL's timestamps hold microseconds, so a whole millisecond comes back whole.
const SQLITE_ISO = `strftime('%Y-%m-%dT%H:%M:%fZ', ?? / 1000.0, 'unixepoch')`;
const PG_ISO = `to_char(to_timestamp(?? / 1000.0) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
