import { AppError } from '../errors.js';
import type { Accounts } from '../accounts/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Revocation } from './revocation.js';
import { isSessionRoomKey, sessionIdOfRoomKey } from './room-names.js';
import type { ChatServer, Identity } from './types.js';

/**
 * How often a live socket's session is asked about: on use (which also counts as the session's
 * use, as a REST request does) and in the periodic check of every session with a socket here.
 */
export const SESSION_CHECK_MS = 60_000;

/**
 * Keeps the sessions behind live sockets honest about SESSION_IDLE_DAYS. A socket shows its token
 * once, at the handshake, so without this an idle-expired session would keep chatting while REST
 * answered 401, and an active socket would let its session expire under it. Socket events count
 * as use of the session - written at most once a minute per session, never per event - and every
 * minute each session with a socket on this process is checked; sockets of an ended session are
 * told and disconnected. The decisions use the injected clock; only the timer is real time.
 */
export class SessionUpkeep {
  /** When each session with a socket here was last checked, by the injected clock. */
  private readonly checked = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly io: ChatServer,
    private readonly accounts: Accounts,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly revocation: Revocation,
  ) {
    this.timer = setInterval(() => void this.checkAll(), SESSION_CHECK_MS);
    this.timer.unref();
  }

  /**
   * The socket acting as `identity` did something: its session was used now. Undefined when the
   * session was checked lately (nearly every event), so the event does not wait a turn for it.
   */
  used(identity: Identity): Promise<void> | undefined {
    const id = identity.sessionId;
    const now = this.clock.now();
    if (now - (this.checked.get(id) ?? identity.seenAt) < SESSION_CHECK_MS) return undefined;
    // Set before the await, so a burst of events asks once.
    this.checked.set(id, now);
    return this.check(id);
  }

  private async check(id: string): Promise<void> {
    if (await this.accounts.checkSession(id, true)) return;
    this.revocation.expired(id);
    throw new AppError('unauthorized', 'your session expired; sign in again');
  }

  /** Checks every session with a socket on this process (the timer calls this each minute). */
  checkAll(): Promise<void> {
    this.sweeping ??= this.sweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private async sweep(): Promise<void> {
    const live = new Set<string>();
    for (const key of this.io.of('/').adapter.rooms.keys()) {
      if (isSessionRoomKey(key)) live.add(sessionIdOfRoomKey(key));
    }
    for (const id of this.checked.keys()) if (!live.has(id)) this.checked.delete(id);
    for (const id of live) {
      try {
        if (!(await this.accounts.checkSession(id, false))) this.revocation.expired(id);
      } catch (err) {
        // The database may be busy or briefly gone; the next round asks again.
        this.log.warn({ err, session: id }, 'session check of live sockets failed');
        return;
      }
    }
  }
}
