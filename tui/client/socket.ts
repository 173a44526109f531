import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import {
  CHAT,
  SOCKET_PATH,
  type Ack,
  type AuthErrorEvent,
  type AuthSuccessEvent,
  type AuthenticateRequest,
  type ChatMessage,
  type ChatUser,
  type ClientToServerEvents,
  type ConnectedEvent,
  type ErrorBody,
  type HistoryRequest,
  type MessageEditedEvent,
  type ModerateRequest,
  type ReadEvent,
  type RoomState,
  type SearchRequest,
  type ServerToClientEvents,
} from '../../server/protocol.js';
import { Mux1Error, type Mux1Code } from './errors.js';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A refusal in the contract's `{error, code}` shape: the server's own code, or a client-side
 * one (`unreachable`, `timeout`, `closed`) whose message says what happened.
 */
export class ChatError extends Mux1Error {
  override name = 'ChatError';
  /** `code` is whatever the server or the client chose; a newer server may know codes this one does not. */
  constructor(code: string, message: string, field?: string, retryAfterS?: number) {
    super(code as Mux1Code, message, { field, retryAfterS });
  }
}

/** What the TUI shows in its status line. */
export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'online'; user: ChatUser | null }
  | { status: 'reconnecting'; reason: string }
  /** Final: closed by us, or by the server (a revoked session), or retries are off or exhausted. */
  | { status: 'offline'; reason: string };

export interface ChatClientOptions {
  /** Server base URL; a path prefix (behind a proxy) is kept in front of /socket.io. */
  server: string;
  token?: string;
  /** How long a request waits for its acknowledgement, and a connection for its greeting. */
  timeoutMs?: number;
  /** Reconnect after a dropped connection (default true). */
  reconnection?: boolean;
  /**
   * With reconnection on, whether the first connection is retried too (default true). Scripts
   * turn it off: a server that cannot be reached is an answer, a dropped connection is not.
   */
  retryFirstConnect?: boolean;
  /** Reconnection attempts before giving up (default: no limit). */
  reconnectionAttempts?: number;
  transports?: ('polling' | 'websocket')[];
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** How often a request is sent when the connection drops before its answer: the first try and two more. */
const MAX_ATTEMPTS = 3;

type Request =
  | 'authenticate'
  | 'message'
  | 'join'
  | 'leave'
  | 'history'
  | 'edit'
  | 'delete'
  | 'read'
  | 'rooms'
  | 'search'
  | 'block'
  | 'unblock'
  | 'moderate'
  | 'create'
  | 'invite'
  | 'remove';

/**
 * The typed Socket.IO client the CLI and TUI share. Requests return promises that settle with
 * the acknowledgement or a ChatError. After a reconnection it puts the connection back where it
 * was: joins its rooms again and reads what each missed with `history` `after` the last message
 * it delivered, handing those to the `message` listeners in order and exactly once, before the
 * live messages that came meanwhile. A request whose connection dropped before the answer is sent
 * again once the connection is back; a message carries a `client_id`, so the server stores it once.
 */
export class ChatClient {
  readonly socket: ChatSocket;
  private readonly timeoutMs: number;
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly messageListeners = new Set<(message: ChatMessage) => void>();
  /** The rooms this connection is in, put back after a reconnection. */
  private readonly rooms = new Set<string>();
  /**
   * Per room, the newest message id handed to the listeners or read as the latest page (0: the
   * room was empty): where catching up starts.
   */
  private readonly lastIds = new Map<string, number>();
  /** Per room catching up, the live messages that arrived meanwhile, handed on after it. */
  private readonly held = new Map<string, ChatMessage[]>();
  /** Waiting for the connection to be back and caught up. */
  private readonly waiting = new Set<{ resolve(): void; reject(err: ChatError): void }>();
  private resuming: Promise<void> | undefined;
  private current: ConnectionState = { status: 'connecting' };
  private lastAuthError: AuthErrorEvent | undefined;
  private me: ChatUser | null = null;

  constructor(options: ChatClientOptions) {
    const url = new URL(options.server);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const reconnection = options.reconnection ?? true;
    this.socket = io(url.origin, {
      path: `${url.pathname.replace(/\/$/, '')}${SOCKET_PATH}`,
      auth: options.token ? { token: options.token } : {},
      autoConnect: false,
      forceNew: true,
      reconnection: reconnection && options.retryFirstConnect !== false,
      reconnectionAttempts: options.reconnectionAttempts ?? Infinity,
      timeout: this.timeoutMs,
      // WebSocket first: behind a load balancer it needs no sticky sessions; polling stays the fallback.
      transports: options.transports ?? ['websocket', 'polling'],
    });
    if (reconnection && options.retryFirstConnect === false) {
      this.socket.once('connected', () => this.socket.io.reconnection(true));
    }
    this.track();
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Who this connection acts as; null for a guest. */
  get user(): ChatUser | null {
    return this.me;
  }

  /** Connects and resolves with the server's greeting; a refusal rejects with a ChatError. */
  connect(): Promise<ConnectedEvent> {
    return new Promise<ConnectedEvent>((resolve, reject) => {
      let lastError: Error | undefined;
      const unreachable = (err: Error) =>
        new ChatError('unreachable', `cannot reach the chat server (${err.message})`);
      const timer = setTimeout(() => {
        done();
        this.socket.disconnect();
        reject(
          lastError
            ? unreachable(lastError)
            : new ChatError('timeout', `no greeting from the server within ${this.timeoutMs / 1000} s`),
        );
      }, this.timeoutMs);
      const onConnected = (event: ConnectedEvent) => {
        done();
        resolve(event);
      };
      const onError = (err: Error & { data?: Partial<ErrorBody> }) => {
        lastError = err;
        // A refusal by the server is final; a transport failure is retried when reconnection is on.
        if (!err.data?.code && this.socket.io.reconnection()) return;
        done();
        this.socket.disconnect();
        reject(err.data?.code ? new ChatError(err.data.code, err.message) : unreachable(err));
      };
      const done = () => {
        clearTimeout(timer);
        this.socket.off('connected', onConnected);
        this.socket.off('connect_error', onError);
      };
      this.socket.on('connected', onConnected);
      this.socket.on('connect_error', onError);
      this.socket.connect();
    });
  }

  /** Signs the connection in; after a password login, reconnections use the new token. */
  async authenticate(request: AuthenticateRequest): Promise<AuthSuccessEvent> {
    // Not sent again after a drop: a password login would open a second session.
    const answer = await this.ask<AuthSuccessEvent>('authenticate', request, { resend: false });
    this.useIdentity(answer.user, answer.token ?? ('token' in request ? request.token : undefined));
    return answer;
  }

  /**
   * Sends a message and resolves with its id once the server has stored it. Safe to send again
   * after a lost answer: the `client_id` makes the server store it once. A caller that keeps
   * unsent messages across restarts passes its own `clientId`, the same on every attempt.
   */
  async send(
    text: string,
    room: string = CHAT.defaultRoom,
    clientId: string = randomUUID(),
  ): Promise<number> {
    const answer = await this.ask<{ id: number }>('message', { room, text, client_id: clientId });
    return answer.id;
  }

  /** A direct message to the user of that name; the answer names the room it went to. */
  async sendTo(text: string, to: string): Promise<number> {
    const answer = await this.ask<{ id: number }>('message', { to, text, client_id: randomUUID() });
    return answer.id;
  }

  /** The author's new text for one of their messages. */
  async edit(id: number, text: string): Promise<Omit<MessageEditedEvent, 'room' | 'text' | 'mentions'>> {
    return this.ask<{ id: number; edited_at: number }>('edit', { id, text });
  }

  async remove(id: number): Promise<void> {
    await this.ask('delete', { id });
  }

  /** Marks a room read up to `id`; answers where the marker stands (it never moves back). */
  async markRead(room: string, id: number): Promise<ReadEvent> {
    return this.ask<ReadEvent>('read', { room, id });
  }

  /** Unread and mention counts for the user's rooms and direct messages. */
  async roomStates(): Promise<RoomState[]> {
    return (await this.ask<{ rooms: RoomState[] }>('rooms', {})).rooms;
  }

  async search(request: SearchRequest): Promise<ChatMessage[]> {
    return (await this.ask<{ messages: ChatMessage[] }>('search', request)).messages;
  }

  async block(username: string, blocked: boolean): Promise<void> {
    await this.ask(blocked ? 'block' : 'unblock', { username });
  }

  /**
   * A moderator's action (`moderate`); not sent again after a drop, since a second delete of the
   * same message would report a failure the first already settled.
   */
  async moderate(request: ModerateRequest): Promise<{ action: string; room: string; until?: number | null }> {
    return this.ask('moderate', request, { resend: false });
  }

  /** A private room owned by the user. */
  async createPrivateRoom(room: string): Promise<void> {
    await this.ask('create', { room, private: true });
  }

  /** The owner of a private room adds (`invite`) or takes out (`remove`) a member. */
  async setMember(room: string, username: string, member: boolean): Promise<ChatUser> {
    return (await this.ask<{ user: ChatUser }>(member ? 'invite' : 'remove', { room, username })).user;
  }

  async join(room: string): Promise<void> {
    await this.ask('join', { room });
    this.rooms.add(room);
  }

  async leave(room: string): Promise<void> {
    await this.ask('leave', { room });
    this.rooms.delete(room);
    this.lastIds.delete(room);
  }

  /**
   * A page of a room, oldest first: the latest, or older than `before` (scrolling back), or
   * newer than `after` (catching up).
   */
  async history(request: HistoryRequest): Promise<ChatMessage[]> {
    const answer = await this.ask<{ messages: ChatMessage[] }>('history', request);
    // The latest page of a room this connection is in: catching up after a drop starts past it
    // (at 0 when the room was empty).
    if (
      request.room !== undefined &&
      request.before === undefined &&
      request.after === undefined &&
      this.rooms.has(request.room)
    ) {
      const newest = answer.messages.at(-1)?.id ?? 0;
      this.lastIds.set(request.room, Math.max(newest, this.lastIds.get(request.room) ?? 0));
    }
    return answer.messages;
  }

  /**
   * The direct message room with a user named by username, and that user: `history` asked `with`
   * them says both, so a conversation opens with anyone, seen before or not. An unknown name fails
   * with `not_found`.
   */
  async conversationWith(username: string): Promise<{ room: string; with: ChatUser }> {
    const answer = await this.ask<{ room: string; with: ChatUser }>('history', { with: username, limit: 1 });
    return { room: answer.room, with: answer.with };
  }

  /** A hint for the others in the room; the server drops extra ones, so calling per keystroke is fine. */
  typing(room: string): void {
    if (this.socket.connected) this.socket.emit('typing', { room });
  }

  /**
   * Listens to a server event; returns the function that stops listening. `message` listeners
   * also get, after a reconnection, the messages missed meanwhile.
   */
  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void {
    if (event === 'message') {
      const fn = listener as (message: ChatMessage) => void;
      this.messageListeners.add(fn);
      return () => this.messageListeners.delete(fn);
    }
    // socket.io-client's listener type is a conditional one TypeScript cannot match to E here.
    const socket = this.socket as unknown as {
      on(e: string, l: (...a: unknown[]) => void): void;
      off(e: string, l: (...a: unknown[]) => void): void;
    };
    const fn = listener as (...a: unknown[]) => void;
    socket.on(event, fn);
    return () => socket.off(event, fn);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.socket.disconnect();
  }

  /**
   * A request once the connection is up and caught up; sent again (`resend`, the default) when
   * the connection drops before the answer: every request is safe to repeat, a message thanks to
   * its client_id.
   */
  private async ask<T extends object>(
    event: Request,
    payload: unknown,
    { resend = true }: { resend?: boolean } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // A drop during catching up wakes the waiters too; they wait again for the next connection.
      while (this.socket.active && (this.resuming || !this.socket.connected)) await this.ready(event);
      if (!this.socket.active) {
        throw new ChatError('closed', `the connection is closed; '${event}' was not sent`);
      }
      try {
        return await this.request<T>(event, payload);
      } catch (err) {
        const again = err instanceof ChatError && err.code === 'disconnected' && resend;
        if (!again || attempt >= MAX_ATTEMPTS || !this.socket.active) throw err;
      }
    }
  }

  /** One request and its acknowledgement. */
  private async request<T extends object>(event: Request, payload: unknown): Promise<T> {
    // One untyped call for five events whose acknowledgements are checked below.
    const withTimeout = this.socket.timeout(this.timeoutMs) as unknown as {
      emitWithAck(e: string, p: unknown): Promise<Ack<T>>;
    };
    let answer: Ack<T>;
    try {
      answer = await withTimeout.emitWithAck(event, payload);
    } catch (err) {
      // socket.io-client fails the acknowledgements of a connection that dropped with this message.
      if ((err as Error).message === 'socket has been disconnected') {
        throw new ChatError('disconnected', `the connection dropped before the server answered '${event}'`);
      }
      throw new ChatError(
        'timeout',
        `the server did not answer '${event}' within ${this.timeoutMs / 1000} s`,
      );
    }
    if (!answer || answer.ok !== true) {
      const failure = (answer ?? {}) as Partial<ErrorBody> & { retry_after_s?: number };
      throw new ChatError(
        failure.code ?? 'unexpected_response',
        failure.error ?? `'${event}' failed`,
        failure.field,
        failure.retry_after_s,
      );
    }
    return answer;
  }

  /** Resolves once the connection is back and caught up; a ChatError if it does not come back in time. */
  private ready(event: Request): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          resolve();
        },
        reject: (err: ChatError) => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          reject(err);
        },
      };
      const timer = setTimeout(
        () =>
          waiter.reject(
            new ChatError(
              'timeout',
              `not connected within ${this.timeoutMs / 1000} s; '${event}' was not sent`,
            ),
          ),
        this.timeoutMs,
      );
      this.waiting.add(waiter);
    });
  }

  private wake(err?: ChatError): void {
    for (const waiter of [...this.waiting]) {
      if (err) waiter.reject(err);
      else waiter.resolve();
    }
  }

  private useIdentity(user: ChatUser | null, token?: string): void {
    this.me = user;
    if (token) this.socket.auth = { token };
    this.rooms.clear();
    this.lastIds.clear();
    if (user) this.rooms.add(CHAT.defaultRoom);
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private track(): void {
    const { socket } = this;
    socket.on('connected', (event) => {
      // The same user again: a reconnection, to be put back where it was. Anyone else starts in the lobby.
      const back = this.me !== null && event.user?.id === this.me.id;
      if (!back) this.useIdentity(event.user);
      this.lastAuthError = undefined;
      if (back) {
        this.resuming = this.resume().finally(() => {
          this.resuming = undefined;
          this.wake();
        });
      }
      this.setState({ status: 'online', user: event.user });
      if (!back) this.wake();
    });
    socket.on('message', (message) => {
      const held = this.held.get(message.room);
      if (held) held.push(message);
      else this.deliver(message);
    });
    socket.on('auth_error', (event) => {
      this.lastAuthError = event;
    });
    socket.on('auth_success', () => {
      this.lastAuthError = undefined;
    });
    socket.on('disconnect', (reason) => {
      if (socket.active) return this.setState({ status: 'reconnecting', reason });
      // The server says why before it ends a session's sockets; that is the reason to show.
      const why = reason === 'io server disconnect' && this.lastAuthError ? this.lastAuthError.error : reason;
      this.setState({ status: 'offline', reason: why });
      this.wake(new ChatError('closed', `the connection closed (${why})`));
    });
    socket.io.on('reconnect_failed', () => {
      this.setState({ status: 'offline', reason: 'could not reconnect' });
      this.wake(new ChatError('closed', 'the connection closed (could not reconnect)'));
    });
  }

  private deliver(message: ChatMessage): void {
    if (this.rooms.has(message.room)) {
      this.lastIds.set(message.room, Math.max(message.id, this.lastIds.get(message.room) ?? 0));
    }
    for (const listener of this.messageListeners) listener(message);
  }

  /**
   * After a reconnection the server has this connection in the lobby only: join the rooms it was
   * in, then read what each missed. Live messages of a room are held until its catching up is
   * done, so the listeners get everything in order and once.
   */
  private async resume(): Promise<void> {
    const wanted = [...this.rooms];
    // Before the first await: the lobby's live messages may already be on their way.
    for (const room of wanted) this.held.set(room, []);
    try {
      for (const room of wanted) if (room !== CHAT.defaultRoom) await this.request('join', { room });
      if (!wanted.includes(CHAT.defaultRoom)) await this.request('leave', { room: CHAT.defaultRoom });
      for (const room of wanted) await this.catchUp(room);
    } catch {
      // Best effort (the connection may have dropped again): the next request reports a lasting problem.
    } finally {
      for (const room of wanted) {
        const held = this.held.get(room) ?? [];
        this.held.delete(room);
        const last = this.lastIds.get(room) ?? 0;
        for (const message of held) if (message.id > last) this.deliver(message);
      }
    }
  }

  /**
   * Hands on the messages of `room` newer than the last one delivered, page by page. A room this
   * client has seen nothing of - no message, no latest page - has no starting point: it gets live
   * messages only, as before the drop. One whose latest page was empty gets all it has now.
   */
  private async catchUp(room: string): Promise<void> {
    const last = this.lastIds.get(room);
    if (last === undefined) return;
    const page = (request: HistoryRequest) =>
      this.requestPatiently<{ messages: ChatMessage[] }>('history', { ...request, limit: CHAT.historyMax });
    if (last === 0) {
      // Every message is new, and there is no id to start after: read back from the newest.
      const pages: ChatMessage[][] = [];
      for (let before: number | undefined; ;) {
        const { messages } = await page({ room, before });
        pages.unshift(messages);
        if (messages.length < CHAT.historyMax) break;
        before = messages[0]!.id;
      }
      for (const message of pages.flat()) this.deliver(message);
      return;
    }
    for (let after = last; ;) {
      const { messages } = await page({ room, after });
      for (const message of messages) this.deliver(message);
      if (messages.length < CHAT.historyMax) return;
      after = messages.at(-1)!.id;
    }
  }

  /** A request that waits out the server's per-connection budget instead of failing on it. */
  private async requestPatiently<T extends object>(event: Request, payload: unknown): Promise<T> {
    for (;;) {
      try {
        return await this.request<T>(event, payload);
      } catch (err) {
        if (!(err instanceof ChatError && err.code === 'rate_limited')) throw err;
        await new Promise((resolve) => setTimeout(resolve, (err.retryAfterS ?? 1) * 1000));
      }
    }
  }
}
