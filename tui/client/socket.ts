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
  /** `recovered: false` after a reconnection means messages may have been missed: ask `history`. */
  | { status: 'online'; user: ChatUser | null; recovered: boolean }
  | { status: 'reconnecting'; reason: string }
  /** Final: closed by us, or by the server (a revoked session), or retries are off or exhausted. */
  | { status: 'offline'; reason: string };

export interface ChatClientOptions {
  /** Server base URL; a path prefix (behind a proxy) is kept in front of /socket.io. */
  server: string;
  token?: string;
  /** How long a request waits for its acknowledgement, and the first connection for its greeting. */
  timeoutMs?: number;
  /** Reconnect after a dropped connection (default true; scripts turn it off). */
  reconnection?: boolean;
  transports?: ('polling' | 'websocket')[];
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The typed Socket.IO client the CLI and TUI share. Requests return promises that settle with
 * the acknowledgement or a ChatError; rooms joined are joined again after a reconnection the
 * server could not recover, so the caller only has to fetch the history it missed.
 */
export class ChatClient {
  readonly socket: ChatSocket;
  private readonly timeoutMs: number;
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly rooms = new Set<string>();
  private current: ConnectionState = { status: 'connecting' };
  private lastAuthError: AuthErrorEvent | undefined;
  private me: ChatUser | null = null;

  constructor(options: ChatClientOptions) {
    const url = new URL(options.server);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.socket = io(url.origin, {
      path: `${url.pathname.replace(/\/$/, '')}${SOCKET_PATH}`,
      auth: options.token ? { token: options.token } : {},
      autoConnect: false,
      forceNew: true,
      reconnection: options.reconnection ?? true,
      timeout: this.timeoutMs,
      // WebSocket first: behind a load balancer it needs no sticky sessions; polling stays the fallback.
      transports: options.transports ?? ['websocket', 'polling'],
    });
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
    const answer = await this.ask<AuthSuccessEvent>('authenticate', request);
    this.useIdentity(answer.user, answer.token ?? ('token' in request ? request.token : undefined));
    return answer;
  }

  /** Sends a message and resolves with its id once the server has stored it. */
  async send(text: string, room: string = CHAT.defaultRoom): Promise<number> {
    const answer = await this.ask<{ id: number }>('message', { room, text });
    return answer.id;
  }

  async join(room: string): Promise<void> {
    await this.ask('join', { room });
    this.rooms.add(room);
  }

  async leave(room: string): Promise<void> {
    await this.ask('leave', { room });
    this.rooms.delete(room);
  }

  /** A page of a room, oldest first; pass the first id of a page as `before` for the one above it. */
  async history(request: HistoryRequest): Promise<ChatMessage[]> {
    const answer = await this.ask<{ messages: ChatMessage[] }>('history', request);
    return answer.messages;
  }

  /** A hint for the others in the room; the server drops extra ones, so calling per keystroke is fine. */
  typing(room: string): void {
    if (this.socket.connected) this.socket.emit('typing', { room });
  }

  /** Listens to a server event; returns the function that stops listening. */
  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void {
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

  private async ask<T extends object>(
    event: 'authenticate' | 'message' | 'join' | 'leave' | 'history',
    payload: unknown,
  ): Promise<T> {
    if (!this.socket.active) {
      throw new ChatError('closed', `the connection is closed; '${event}' was not sent`);
    }
    // One untyped call for five events whose acknowledgements are checked below.
    const withTimeout = this.socket.timeout(this.timeoutMs) as unknown as {
      emitWithAck(e: string, p: unknown): Promise<Ack<T>>;
    };
    let answer: Ack<T>;
    try {
      answer = await withTimeout.emitWithAck(event, payload);
    } catch {
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

  private useIdentity(user: ChatUser | null, token?: string): void {
    this.me = user;
    if (token) this.socket.auth = { token };
    this.rooms.clear();
    if (user) this.rooms.add(CHAT.defaultRoom);
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private track(): void {
    const { socket } = this;
    socket.on('connected', (event) => {
      const sameUser = this.me !== null && event.user?.id === this.me.id;
      // A new identity starts in the lobby; the same one keeps its rooms, which a recovery
      // restored on the server and which otherwise are joined again here.
      if (!sameUser) this.useIdentity(event.user);
      this.lastAuthError = undefined;
      this.setState({ status: 'online', user: event.user, recovered: event.recovered });
      if (sameUser && !event.recovered) void this.restoreRooms([...this.rooms]);
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
    });
    socket.io.on('reconnect_failed', () =>
      this.setState({ status: 'offline', reason: 'could not reconnect' }),
    );
  }

  /** The server put the socket back in the lobby only; put it back where the user was. */
  private async restoreRooms(wanted: string[]): Promise<void> {
    try {
      for (const room of wanted) if (room !== CHAT.defaultRoom) await this.join(room);
      if (!wanted.includes(CHAT.defaultRoom)) await this.leave(CHAT.defaultRoom);
    } catch {
      // Best effort: the next request reports any lasting problem.
    }
  }
}
