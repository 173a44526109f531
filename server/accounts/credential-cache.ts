import type { Db } from '../store/db.js';
import type { Authenticated } from './sessions.js';

/**
 * How long a looked-up session or access token is trusted without asking the database again: the
 * longest a revocation made by another server process can take to be noticed here.
 */
export const SESSION_CACHE_TTL_MS = 1000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Statements after which a cached credential may be stale: any update or delete that names the
 * sessions, access_tokens or users table (revocation, logout, password change, deletion, the
 * last-use touch, a test editing rows), and any commit, since a write inside a transaction
 * becomes visible to other connections only then. Matching the SQL rather than calling the cache
 * from each of those paths means a revocation added later cannot forget to invalidate;
 * over-matching only costs a database read.
 */
const INVALIDATES = /^\s*(?:(?:update|delete)\b[\s\S]*\b(?:sessions|access_tokens|users)\b|commit\b)/i;

interface CacheEntry {
  at: number;
  auth: Authenticated;
}

const copy = (auth: Authenticated): Authenticated => ({
  user: { ...auth.user },
  session: { ...auth.session },
  ...(auth.token ? { token: { ...auth.token, scopes: [...auth.token.scopes] } } : {}),
});

/**
 * Sessions and access tokens recently looked up by token hash, so an authenticated read
 * (GET /api/me, a socket handshake) costs no database round trip (bench/me.ts: 0.11 of a bare
 * Koa app without it). Revocation in this process takes effect at once: every write that could
 * matter clears the cache, both when it is sent and when it has run, and a lookup that overlapped
 * such a write is not stored (the generation it started under is gone).
 */
class CredentialCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Lookups under way, by token hash, each begun under the current generation. */
  private readonly running = new Map<string, Promise<Authenticated>>();
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
    // A request that comes after this must not join a lookup that may have read the old rows.
    this.running.clear();
  }

  /**
   * One lookup at a time per credential: a request that misses the cache while another's lookup
   * of the same token is under way waits for that one instead of sending its own. When an entry
   * ends, every request in flight with that token missed at once, each asking the database and
   * each writing the same touch (bench/me.ts: about ten lookups a second instead of one). Only a
   * lookup begun since the last write that could matter is joined (clear forgets the others),
   * so a revocation sent before a request arrives is seen as it is without the sharing. Each
   * caller gets copies, as from `get`.
   */
  async once(tokenHash: string, lookup: () => Promise<Authenticated>): Promise<Authenticated> {
    let shared = this.running.get(tokenHash);
    if (!shared) {
      shared = lookup();
      const mine = shared;
      this.running.set(tokenHash, mine);
      const forget = () => {
        if (this.running.get(tokenHash) === mine) this.running.delete(tokenHash);
      };
      mine.then(forget, forget);
    }
    return copy(await shared);
  }

  /** Read before asking the database; hand it back to `set`. */
  get stamp(): number {
    return this.generation;
  }

  get(tokenHash: string, now: number): Authenticated | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (now - entry.at >= SESSION_CACHE_TTL_MS || now < entry.at) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    // Copies: a caller that changes its rows must not change what the next request gets.
    return copy(entry.auth);
  }

  set(tokenHash: string, stamp: number, now: number, auth: Authenticated): void {
    if (stamp !== this.generation) return;
    if (this.entries.size >= CACHE_MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { at: now, auth: copy(auth) });
  }
}

const caches = new WeakMap<Db, CredentialCache>();

/** The cache of one database handle (one server), made on first use. */
export function credentialCacheFor(db: Db): CredentialCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new CredentialCache(db);
    caches.set(db, cache);
  }
  return cache;
}
