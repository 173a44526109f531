import type { Accounts } from '../accounts/index.js';
import type { Chat } from '../chat/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { SocketLimits } from './limits.js';
import type { MessageWriter } from './message-writer.js';
import type { Presence } from './presence.js';
import type { SessionUpkeep } from './session-upkeep.js';
import type { ChatServer } from './types.js';

/** What every event handler needs, built once per server. */
export interface RealtimeContext {
  io: ChatServer;
  accounts: Accounts;
  chat: Chat;
  db: Db;
  clock: Clock;
  log: Logger;
  presence: Presence;
  limits: SocketLimits;
  messages: MessageWriter;
  sessions: SessionUpkeep;
}
