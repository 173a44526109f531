import type { Db } from '../store/db.js';
import type { SessionRow } from '../store/sessions.js';
import type { UserRow } from '../store/users.js';

/**
 * How long a looked-up session is trusted without asking the database again: the longest a
 * revocation made by another server process can take to be noticed here.
 */
export const SESSION_CACHE_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

/**
 * Statements after which a cached session may be stale: any update or delete that names the
 * sessions or users table (revocation, logout, password change, deletion, the last-seen touch,
 * a test editing rows), and any commit, since a write inside a transaction becomes visible to
 * other connections only then. Matching the SQL rather than calling the cache from each of those
 * paths means a revocation added later cannot forget to invalidate; over-matching only costs a
 * database read.
 */
const INVALIDATES = /^\s*(?:(?:update|delete)\b[\s\S]*\b(?:sessions|users)\b|commit\b)/i;

interface Entry {
  at: number;
  user: UserRow;
  session: SessionRow;
}

/**
 * Sessions recently looked up by token hash, so an authenticated read (GET /api/me, a socket
 * handshake) costs no database round trip (bench/me.ts: 0.11 of a bare Koa app without it).
 * Revocation in this process takes effect at once: every write that could matter clears the
 * cache, both when it is sent and when it has run, and a lookup that overlapped such a write is
 * not stored (the generation it started under is gone).
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(db: Db) {
    const watch = (query: { sql?: unknown }) => {
      if (typeof query?.sql === 'string' && INVALIDATES.test(query.sql)) this.clear();
    };
    db.on('query', watch);
    db.on('query-response', (_response: unknown, query: { sql?: unknown }) => watch(query));
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Read before asking the database; hand it back to `set`. */
  get stamp(): number {
    return this.generation;
  }

  get(tokenHash: string, now: number): { user: UserRow; session: SessionRow } | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (now - entry.at >= SESSION_CACHE_TTL_MS || now < entry.at) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    // Copies: a caller that changes its rows must not change what the next request gets.
    return { user: { ...entry.user }, session: { ...entry.session } };
  }

  set(tokenHash: string, stamp: number, now: number, user: UserRow, session: SessionRow): void {
    if (stamp !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { at: now, user: { ...user }, session: { ...session } });
  }
}

const caches = new WeakMap<Db, SessionCache>();

/** The cache of one database handle (one server), made on first use. */
export function sessionCacheFor(db: Db): SessionCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new SessionCache(db);
    caches.set(db, cache);
  }
  return cache;
}
