import { checkAccess, type Accounts } from '../accounts/index.js';
import type { Chat } from '../chat/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { EVENT_ACCESS, type ChatEvent } from './access.js';
import type { Evict } from './eviction.js';
import { requireIdentity, socketCaller } from './identity.js';
import type { SocketLimits } from './limits.js';
import type { MessageWriter } from './message-writer.js';
import type { Presence } from './presence.js';
import type { SessionUpkeep } from './session-upkeep.js';
import type { SharedIdentities } from './shared-identities.js';
import type { ChatServer, ChatSocket, Identity } from './types.js';

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
  /** One identity object per session for all its sockets on this process. */
  identities: SharedIdentities;
  /** Takes a user's sockets out of a room on every process (kick, ban, removal from a private room). */
  evict: Evict;
}

/**
 * The one check every signed-in event passes before its handler, by the event's line in
 * EVENT_ACCESS: a signed-in socket whose session or token is still live (`unauthorized`
 * otherwise), holding what the event needs (`insufficient_scope` naming the scope, the same
 * check as REST), then the event's budget. A token's sockets spend one budget per user rather
 * than one each, so opening more sockets does not buy a script more messages than a person has.
 *
 * Answered at once, and a refusal thrown, unless the session is being checked (requireIdentity):
 * then a promise, and the access and the budget are checked once it answers, as before.
 */
export function guard(
  ctx: RealtimeContext,
  socket: ChatSocket,
  event: ChatEvent,
): Identity | Promise<Identity> {
  const identity = requireIdentity(ctx, socket);
  return identity instanceof Promise
    ? identity.then((known) => admit(ctx, socket, event, known))
    : admit(ctx, socket, event, identity);
}

function admit(ctx: RealtimeContext, socket: ChatSocket, event: ChatEvent, identity: Identity): Identity {
  const { need, budget } = EVENT_ACCESS[event];
  checkAccess(socketCaller(identity), need);
  const key = identity.scopes === null ? socket.id : `user:${identity.user.id}`;
  if (budget === 'message') ctx.limits.message(key);
  else if (budget === 'request') ctx.limits.request(key);
  return identity;
}
