import type { Logger } from '../log.js';
import type { ChatUser } from '../protocol.js';
import { CLUSTER_REQUEST_TIMEOUT_MS, type Cluster } from './cluster.js';
import type { ChatServer } from './types.js';

/** What this process answers about its own sockets when another process asks. */
export interface LocalAnswers {
  /** The signed-in users with a socket here in that chat room. */
  roomUsers(room: string): ChatUser[];
  /** The signed-in users with a socket here. */
  userIds(): number[];
}

/** Questions to the other server processes; each answer is one list per process that answered. */
export interface OtherProcesses {
  roomUsers(room: string): Promise<ChatUser[][]>;
  userIds(): Promise<number[][]>;
}

/**
 * Presence across processes, asked rather than stored: each process knows its own sockets, and
 * a process that needs the whole picture asks the others through the adapter (serverSideEmit
 * with acknowledgements). Nothing is kept in Redis, so nothing goes stale when a process dies
 * without saying goodbye: a dead process is no longer subscribed, so it is not waited for.
 *
 * While Redis is away, or when a process does not answer in time, the question gets no (or a
 * partial) answer and the caller goes on with what it knows locally: degraded, never stuck.
 */
export function otherProcesses(
  io: ChatServer,
  cluster: Cluster,
  local: LocalAnswers,
  log: Logger,
): OtherProcesses {
  io.on('presence:room', (room, reply) => {
    if (typeof room === 'string' && typeof reply === 'function') reply(local.roomUsers(room));
  });
  io.on('presence:users', (reply) => {
    if (typeof reply === 'function') reply(local.userIds());
  });

  const ask = async <T>(what: string, question: () => Promise<T[]>): Promise<T[]> => {
    if (!cluster.up()) return [];
    let timer: NodeJS.Timeout | undefined;
    // The adapter drops a question whose Redis command fails and never answers it: our own
    // deadline, a little after the adapter's, is what guarantees an answer.
    const deadline = new Promise<T[]>((resolve) => {
      timer = setTimeout(() => resolve([]), CLUSTER_REQUEST_TIMEOUT_MS + 500);
    });
    try {
      return await Promise.race([question(), deadline]);
    } catch (err) {
      const partial = (err as { responses?: T[] }).responses ?? [];
      log.warn({ question: what, answered: partial.length }, 'a server process did not answer in time');
      return partial;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    roomUsers: (room) => ask('presence:room', () => io.serverSideEmitWithAck('presence:room', room)),
    userIds: () => ask('presence:users', () => io.serverSideEmitWithAck('presence:users')),
  };
}
