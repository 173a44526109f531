import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ServerConfig } from '../../config/index.js';
import type { PasswordHasher } from './passwords.js';
import type { TemplateContext } from '../mail/templates.js';

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
}

/** Where a request came from, for the audit log and the sessions list. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
