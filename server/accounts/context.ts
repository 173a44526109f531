import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ServerConfig } from '../../config/index.js';
import type { PasswordHasher } from './passwords.js';
import type { TemplateContext } from '../mail/templates.js';
import type { Limits } from '../limits/index.js';
import type { Metrics } from '../metrics/index.js';

/** What the accounts rules need, handed in by createServer (nothing is imported as state). */
export interface AccountsDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  config: ServerConfig;
  hasher: PasswordHasher;
  mail: TemplateContext;
  /** Called after a transaction that queued mail has committed. */
  mailQueued: () => void;
  /**
   * Called after sessions ended (logout, a session revoked, the others signed out, a password
   * change), once that is committed: the live side closes their sockets at once.
   */
  sessionsEnded: (sessionIds: string[]) => void;
  /** Called after every session of a user ended (password reset, account deleted). */
  userSessionsEnded: (userId: number) => void;
  /** Per-address and per-email abuse limits and the proof-of-work challenge (issue 9). */
  limits: Limits;
  /** Counters for logins, lockouts and signups. */
  metrics: Metrics;
}

/** Where a request came from, for the audit log and the sessions list. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** A solved proof-of-work challenge sent along, for the rules that may ask for one. */
  challenge?: string | null;
}
