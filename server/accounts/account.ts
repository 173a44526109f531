import * as users from '../store/users.js';
import * as identities from '../store/identities.js';
import type { IdentityRow } from '../store/identities.js';
import * as sessions from '../store/sessions.js';
import * as accessTokens from '../store/access-tokens.js';
import * as codes from '../store/codes.js';
import * as codeFailures from '../store/code-failures.js';
import * as twoFactor from '../store/two-factor.js';
import * as deviceCodes from '../store/device-codes.js';
import * as sshKeys from '../store/ssh-keys.js';
import * as passkeys from '../store/passkeys.js';
import * as audit from '../store/audit.js';
import * as userMessages from '../store/user-messages.js';
import * as blocks from '../store/blocks.js';
import * as readMarkers from '../store/read-markers.js';
import * as privateRooms from '../store/private-rooms.js';
import type { UserRow } from '../store/users.js';
import type { CodeSummary } from '../store/codes.js';
import type { StoredAuditEvent } from '../store/audit.js';
import type { JsonPage, JsonRows } from '../store/json-pages.js';
import type { ReadMarker } from '../store/read-markers.js';
import type { AccessTokenRow } from '../store/access-tokens.js';
import type { SshKeyRow } from '../store/ssh-keys.js';
import type { PasskeyRow } from '../store/passkeys.js';
import { AppError } from '../errors.js';
import { readerOf } from '../store/db.js';
import { exportReaderOf } from '../store/export-reader.js';
import { lastMessageId } from '../store/messages.js';
import type { Knex } from 'knex';
import { confirmPassword } from './login.js';
import { keepAnAdmin, withAdminsLocked } from './last-admin.js';
import type { Authenticated } from './sessions.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/* What the user can see of their own account, take away, and end. */

export interface ActivityPage {
  events: StoredAuditEvent[];
  /** The `before` of the next, older page; null when there is none. */
  nextBefore: number | null;
}

/** One page of the user's own audit events, newest first; `before` is an event id. */
export async function listActivity(
  deps: AccountsDeps,
  auth: Authenticated,
  page: { before?: number; limit: number },
): Promise<ActivityPage> {
  // One more than asked tells whether an older page exists without a second query.
  const rows = await audit.listOfUser(deps.db, auth.user.id, { before: page.before, limit: page.limit + 1 });
  const events = rows.slice(0, page.limit);
  return { events, nextBefore: rows.length > page.limit ? events.at(-1)!.id : null };
}

/**
 * Everything stored about the user, as stored; the door decides what of it is shown. The large
 * parts (messages, activity) come as pages to be written out one after the other, so an export
 * of any size holds one page in memory at a time.
 */
export interface AccountData {
  at: number;
  user: UserRow;
  /** Every session, ended ones too while kept: JSON objects written by the database. */
  sessions: JsonRows;
  codes: CodeSummary[];
  /** Access tokens, ended ones too while their rows are kept. */
  tokens: AccessTokenRow[];
  /** Linked identity provider accounts. */
  identities: IdentityRow[];
  /** SSH keys and passkeys: public keys only, as stored (no private part ever reaches the server). */
  sshKeys: SshKeyRow[];
  passkeys: PasskeyRow[];
  /** The users this one blocks, by name, and since when. */
  blocks: { username: string; created_at: number }[];
  /** How far the user has read each room and direct conversation. */
  readMarkers: ReadMarker[];
  /** The user's messages, oldest first, and events, newest first: pages of JSON objects written
   * by the database (store/json-pages.ts), each the inside of a JSON array, read in a thread of
   * their own (store/export-reader.ts). */
  messages: AsyncIterable<string>;
  activity: AsyncIterable<string>;
  /** Frees the export's place among those running; call it once the last page is out or the
   * request ended. */
  done(): void;
}

/** Rows read per page: about 65 KB of JSON for the growth bench's messages (bench/growth.ts). */
export const EXPORT_PAGE_ROWS = 500;
const HOUR = 3_600_000;

/** Exports running now, per database handle (one per server) and user. */
const running = new WeakMap<object, Map<number, number>>();

/**
 * Refuses an export when the user already has EXPORTS_AT_ONCE running in this process, or has
 * started EXPORTS_PER_HOUR in the last hour (counted from the activity log, so across processes
 * and restarts), with the seconds until one may start again.
 */
async function admitExport(deps: AccountsDeps, userId: number, now: number): Promise<() => void> {
  let mine = running.get(deps.db);
  if (!mine) running.set(deps.db, (mine = new Map()));
  const atOnce = mine.get(userId) ?? 0;
  if (atOnce >= deps.config.exportsAtOnce) {
    throw new AppError(
      'rate_limited',
      'an export of this account is already running; try again when it ends',
      {},
      10,
    );
  }
  mine.set(userId, atOnce + 1);
  let freed = false;
  const free = () => {
    if (freed) return;
    freed = true;
    const left = (mine.get(userId) ?? 1) - 1;
    if (left > 0) mine.set(userId, left);
    else mine.delete(userId);
  };
  try {
    const recent = await audit.recentOfUser(deps.db, userId, 'account_exported', now - HOUR);
    if (recent.length >= deps.config.exportsPerHour) {
      const oldest = recent.at(-deps.config.exportsPerHour)!;
      const retryAfter = Math.max(1, Math.ceil((oldest + HOUR - now) / 1000));
      throw new AppError(
        'rate_limited',
        `at most ${deps.config.exportsPerHour} exports an hour; try again in ${retryAfter} s`,
        {},
        retryAfter,
      );
    }
  } catch (err) {
    free();
    throw err;
  }
  return free;
}

/**
 * Starts an export of everything stored about the user. The export itself is an event,
 * recorded first so it appears in what it returns. What follows is read from the database's
 * read connections in pages by id, not in one transaction: no page holds the database for long,
 * so the export never makes other requests wait. The long parts, messages and activity, are read
 * in a thread of their own, so the event loop only passes their text on. The
 * messages are those stored up to the start (the highest id then); the activity runs up to the
 * export's own event.
 */
export async function exportAccount(
  deps: AccountsDeps,
  auth: Authenticated,
  meta: RequestMeta,
): Promise<AccountData> {
  const now = deps.clock.now();
  const userId = auth.user.id;
  const done = await admitExport(deps, userId, now);
  try {
    await audit.record(deps.db, 'account_exported', userId, now, meta);
    const reader = readerOf(deps.db);
    const pages = exportReaderOf(deps.db);
    // Started now, beside the short parts: the thread's start is not a page's read time.
    const pagesReady = pages.ready();
    // The short parts are read in turn too, as one piece: a heavy account has thousands of
    // sessions, and on PostgreSQL exports starting together would otherwise hold as many of the
    // pool's connections at once, leaving fewer for the lookups of the requests beside them.
    const head = await inTurn(deps.db, async () => ({
      upToMessage: await lastMessageId(reader),
      user: (await users.findById(reader, userId)) ?? auth.user,
      sessions: await sessions.exportOfUser(reader, userId, auth.session.id),
      codes: await codes.listSummariesOfUser(reader, userId),
      tokens: await accessTokens.listAllOfUser(reader, userId),
      identities: await identities.listIdentities(reader, userId),
      sshKeys: await sshKeys.listOfUser(reader, userId),
      passkeys: await passkeys.listOfUser(reader, userId),
      blocks: await blocks.blockedBy(reader, userId),
      readMarkers: await readMarkers.markersOf(reader, userId),
    }));
    await pagesReady;
    const { upToMessage, ...parts } = head;
    return {
      at: now,
      ...parts,
      messages: pagesInOrder((after) =>
        inTurn(deps.db, () =>
          pages.read({
            part: 'messages',
            userId,
            afterId: after ?? 0,
            upToId: upToMessage,
            limit: EXPORT_PAGE_ROWS,
          }),
        ),
      ),
      activity: pagesInOrder((before) =>
        inTurn(deps.db, () => pages.read({ part: 'activity', userId, before, limit: EXPORT_PAGE_ROWS })),
      ),
      done,
    };
  } catch (err) {
    done();
    throw err;
  }
}

/**
 * One export page read at a time per server, however many exports run: reading a page (the
 * database writing its JSON) is most of an export's work, so four exports at once hold the
 * export thread's one connection, as one does, and the requests beside them keep the rest of the
 * database and the pool. Only the read is taken in turn, never the wait for a slow client.
 *
 * After each read the turn rests four times as long as the read took: exports are background
 * work and get a fifth of one core's time at most. On two cores, four exports reading back to
 * back kept a core busy and the event loop waited for one behind them. /api/me's p99 beside four
 * exports of 250k messages went from 2.5x its idle p99 to 1.4x with a rest as long as the read
 * (on SQLite, the median of four runs each); on PostgreSQL, beside four exports of 25k messages,
 * from 14.8-16.5 ms with twice the read as rest to 10.3-12.9 ms with four times (idle 5.7-8.6 ms).
 * What was left then was the event loop's garbage collection of the driver's buffers, which the
 * export thread (store/export-reader.ts) took away: 2.0x idle before, 1.0-1.24x after (PostgreSQL,
 * the median of five rounds; SQLite 1.40 against 1.96 for the code before, the same hour).
 */
const pageTurns = new WeakMap<object, Promise<void>>();

/** How long the turn rests after a read, as a share of the read's time. */
const EXPORT_REST_PER_READ = 4;

async function inTurn<T>(db: object, read: () => Promise<T>): Promise<T> {
  const before = pageTurns.get(db) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  pageTurns.set(
    db,
    before.then(() => mine),
  );
  await before;
  const started = performance.now();
  try {
    return await read();
  } finally {
    setTimeout(release, (performance.now() - started) * EXPORT_REST_PER_READ);
  }
}

/** Pages in id order, each read from where the one before ended, until one is short. */
async function* pagesInOrder(read: (after: number | undefined) => Promise<JsonPage>): AsyncGenerator<string> {
  let after: number | undefined;
  for (;;) {
    const page = await read(after);
    if (page.rows > 0) yield page.json;
    if (page.rows < EXPORT_PAGE_ROWS) return;
    after = page.lastId;
  }
}

/**
 * Deletes the account of a user who proves the password: the account row, its sessions, its
 * codes, its SSH keys and its passkeys go, its messages stay without an author, and its audit
 * events stay as an anonymous security record. Each step is explicit rather than left to
 * foreign-key actions, so the result is the same on every database. The username and email are
 * free again afterwards.
 */
export async function deleteAccount(
  deps: AccountsDeps,
  auth: Authenticated,
  password: string,
  meta: RequestMeta,
): Promise<void> {
  const userId = auth.user.id;
  await confirmPassword(deps, auth.user, password, meta, {
    failure: 'account_deletion_failed',
    field: 'password',
  });
  const now = deps.clock.now();
  // The last admin may not leave the server without one (last-admin.ts).
  await withAdminsLocked(deps.db, async (trx) => {
    const current = await users.findById(trx, userId);
    if (current) await keepAnAdmin(trx, current, 'delete your account');
    await eraseAccount(trx, userId, now);
    // Written after the account is gone, so it is anonymous like the rest of its record.
    await audit.record(trx, 'account_deleted', null, now, meta);
  });
  deps.userSessionsEnded(userId);
}

const NO_SOURCE: audit.EventSource = { ip: null, userAgent: null };

/**
 * Removes an account inside the caller's transaction: the row, its sessions, tokens and codes go,
 * its messages stay without an author, and its audit events stay as an anonymous security record.
 * Each step is explicit rather than left to foreign-key actions, so the result is the same on
 * every database. Self-deletion and an admin's deletion both come here. The private rooms it owns
 * pass to their longest-standing member (store/private-rooms.ts handOverRoomsOf).
 */
export async function eraseAccount(trx: Knex, userId: number, at: number): Promise<void> {
  await userMessages.anonymise(trx, userId);
  for (const { room, ownerId } of await privateRooms.handOverRoomsOf(trx, userId)) {
    // In the new owner's activity; where the deletion came from is the deleted account's, not theirs.
    if (ownerId !== null) {
      await audit.record(trx, 'private_room_handed_over', ownerId, at, NO_SOURCE, {
        actorId: null,
        detail: `#${room}`,
      });
    }
  }
  await sessions.deleteAllOfUser(trx, userId);
  await accessTokens.deleteAllOfUser(trx, userId);
  await codes.deleteAllOfUser(trx, userId);
  await codeFailures.deleteAllOfUser(trx, userId);
  await twoFactor.deleteAllOfUser(trx, userId);
  await deviceCodes.deleteAllOfUser(trx, userId);
  await sshKeys.deleteAllOfUser(trx, userId);
  await passkeys.deleteAllOfUser(trx, userId);
  await audit.detachFromUser(trx, userId);
  await users.deleteUser(trx, userId);
}
