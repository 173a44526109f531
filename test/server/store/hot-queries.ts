import { readerOf, type Db } from '../../../server/store/db.js';
import * as audit from '../../../server/store/audit.js';
import * as sessions from '../../../server/store/sessions.js';
import { listMessages } from '../../../server/store/messages.js';
import { countUsers, enabledAdminIds } from '../../../server/store/users.js';
import { listUsers } from '../../../server/store/user-directory.js';
import { daysBetween } from '../../../server/store/daily-stats.js';
import { countTotals } from '../../../server/store/admin-totals.js';
import { failedCount, pendingCount } from '../../../server/store/outbox.js';
import { exportPageOfUser } from '../../../server/store/user-messages.js';
import { recentOfUser } from '../../../server/store/audit.js';
import { pruneBatch, type RetentionKind } from '../../../server/store/retention.js';
import { sanctionsInForce } from '../../../server/store/room-sanctions.js';
import { privacyOf } from '../../../server/store/private-rooms.js';
import { blockersOf } from '../../../server/store/blocks.js';

/*
 * The queries that run on every page of a busy server, each run through the store function the
 * server calls, so the SQL whose plan is checked is the SQL that is served. Shared by the SQLite
 * test and the PostgreSQL one in test:system.
 */

export interface HotQuery {
  name: string;
  run: (db: Db) => Promise<unknown>;
  /** The index each statement of it must be read through. */
  index: string | RegExp;
  /**
   * JSON made of one page of rows (store/json-pages.ts): the page, at most its limit of rows,
   * is read again and put in order by the aggregate; only that may be scanned and sorted.
   */
  jsonPage?: true;
}

const now = 1_800_000_000_000;

export const HOT_QUERIES: HotQuery[] = [
  {
    name: 'activity page (a user, by id, newest first)',
    run: (db) => audit.listOfUser(db, 7, { before: 1000, limit: 51 }),
    index: 'audit_events_user_id_id_index',
  },
  {
    name: 'activity first page',
    run: (db) => audit.listOfUser(db, 7, { limit: 51 }),
    index: 'audit_events_user_id_id_index',
  },
  {
    name: 'sessions page (live ones, most recently used first)',
    run: (db) =>
      sessions.listLive(db, 7, now, now - 7 * 86_400_000, {
        after: { last_seen_at: now - 5, created_at: now - 9, id: 'a'.repeat(32) },
        limit: 51,
      }),
    index: 'sessions_user_id_last_seen_at_index',
  },
  {
    name: 'messages history, older page',
    run: (db) => listMessages(db, 'lobby', { before: 1000, limit: 50 }),
    index: /messages_room_id_index|users_pkey|INTEGER PRIMARY KEY/,
  },
  {
    name: 'messages history, catching up',
    run: (db) => listMessages(db, 'lobby', { after: 1000, limit: 50 }),
    index: /messages_room_id_index|users_pkey|INTEGER PRIMARY KEY/,
  },
  {
    name: 'server-status total users',
    run: (db) => countUsers(db),
    index: /counters_pkey|sqlite_autoindex_counters_1/,
  },
  {
    name: 'metrics: failed mail',
    run: (db) => failedCount(db),
    index: 'mail_outbox_sent_at_failed_at_next_attempt_at_index',
  },
  {
    name: 'metrics: pending mail',
    run: (db) => pendingCount(db),
    index: 'mail_outbox_sent_at_failed_at_next_attempt_at_index',
  },
  {
    name: "export: a page of a user's messages by id",
    run: (db) => exportPageOfUser(db, 7, { afterId: 1000, upToId: 90_000, limit: 1000 }),
    index: 'messages_user_id_id_index',
    jsonPage: true,
  },
  {
    name: "export: a page of a user's events by id, newest first",
    run: (db) => audit.exportPageOfUser(db, 7, { before: 1000, limit: 1000 }),
    index: 'audit_events_user_id_id_index',
    jsonPage: true,
  },
  {
    name: "export limit: the user's exports in the last hour",
    run: (db) => recentOfUser(db, 7, 'account_exported', now - 3_600_000),
    index: 'audit_events_user_id_at_index',
  },
  // Every chat message and join asks these: a mute or ban in force, and whether the room is private.
  {
    name: "moderation: a member's mute and ban in a room",
    run: (db) => Promise.all([sanctionsInForce(db, 'lobby', 7, now), sanctionsInForce(db, 'team', 8, now)]),
    index: /sqlite_autoindex_room_sanctions_1|room_sanctions_pkey/,
  },
  {
    // Blockers, sanctions and privacy are asked by many messages at once (coalesce.ts): the
    // plans are those of a statement answering two pairs.
    name: 'private rooms: is the room private, and the user a member',
    run: (db) =>
      Promise.all([privacyOf(db, { room: 'lobby', userId: 7 }), privacyOf(db, { room: 'team', userId: 8 })]),
    // Both primary keys: the rooms', then the members' within each private room.
    index:
      /(?=[\s\S]*(?:sqlite_autoindex_private_rooms_1|private_rooms_pkey))[\s\S]*(?:sqlite_autoindex_private_room_members_1|private_room_members_pkey)/,
  },
  {
    name: 'blocks: who blocks the authors',
    run: (db) => Promise.all([blockersOf(db, 7), blockersOf(db, 8)]),
    index: 'user_blocks_blocked_id_index',
  },
  // Administration (the first page of users reads the id order backwards, a SCAN with a LIMIT;
  // the prefix search sorts its matches, bench/admin-at-size.ts measures both).
  {
    name: 'admin users, a page by before',
    run: (db) => listUsers(db, { before: 5000, limit: 51 }),
    index: /INTEGER PRIMARY KEY|users_pkey/,
  },
  {
    name: 'admin audit by type',
    run: (db) => audit.listAll(db, { type: 'role_changed', before: 1000, limit: 51 }),
    index: /audit_events_type_id_index|INTEGER PRIMARY KEY|users_pkey/,
  },
  {
    name: 'admin audit by actor',
    run: (db) => audit.listAll(db, { actorId: 7, limit: 51 }),
    index: /audit_events_actor_id_id_index|INTEGER PRIMARY KEY|users_pkey/,
  },
  {
    name: 'admin audit by user',
    run: (db) => audit.listAll(db, { userId: 7, limit: 51 }),
    index: /audit_events_user_id_id_index|INTEGER PRIMARY KEY|users_pkey/,
  },
  {
    name: 'admin stats: the days asked',
    run: (db) => daysBetween(db, '2026-01-01', '2026-01-30'),
    index: /sqlite_autoindex_daily_stats_1|daily_stats_pkey/,
  },
  {
    name: 'admin stats: totals',
    run: (db) => countTotals(db, now),
    index:
      /counters|users_role_index|users_disabled_at_index|sessions_|INTEGER PRIMARY KEY|messages_pkey|SEARCH messages$/,
  },
  {
    name: 'last admin: the enabled admins',
    run: (db) => enabledAdminIds(db),
    // PostgreSQL's planner may take either on an empty table; both are index ranges.
    index: /users_role_index|users_disabled_at_index/,
  },
  ...(
    [
      ['expired_sessions', 'sessions_expires_at_index'],
      ['revoked_sessions', 'sessions_revoked_at_index'],
      ['audit_events', 'audit_events_at_index'],
      ['sent_mail', 'mail_outbox_sent_at_failed_at_next_attempt_at_index'],
      ['failed_mail', 'mail_outbox_sent_at_failed_at_next_attempt_at_index'],
    ] as [RetentionKind, string][]
  ).map(([kind, index]) => ({
    name: `retention batch: ${kind}`,
    run: (db: Db) => pruneBatch(db, kind, now, 500),
    index,
  })),
];

/**
 * The statements a piece of work sends, with their bindings, as Knex reports them: on the
 * database and on its reader connections, where plain selects run (readerOf).
 */
export async function statementsOf(
  db: Db,
  work: (db: Db) => Promise<unknown>,
): Promise<{ sql: string; bindings: unknown[] }[]> {
  const seen: { sql: string; bindings: unknown[] }[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) =>
    seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  const handles = [...new Set([db, readerOf(db)])];
  for (const h of handles) h.on('query', listener);
  try {
    await work(db);
  } finally {
    for (const h of handles) h.off('query', listener);
  }
  return seen;
}
