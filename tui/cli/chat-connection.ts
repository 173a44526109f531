import { io, type Socket } from 'socket.io-client';
import { ApiError } from '../client/rest.js';

/** The slice of PROTOCOL.md's Socket.IO events that `send` and `history` use. */
export interface ChatMessage {
  id: number | string;
  room: string;
  user: { id: number; username: string } | null;
  text: string;
  ts: string | number;
}
type Ack<T> = ({ ok: true } & T) | { ok: false; error: string; code: string };

const ANSWER_TIMEOUT_MS = 10_000;

/**
 * One signed-in Socket.IO connection for the length of a command: connect with the token,
 * wait for the server's `connected` greeting, run, disconnect. Failures come out as ApiError with
 * the same codes as REST (`unreachable`, `unauthorized`, `timeout`, or the server's own).
 */
export async function withChat<T>(
  server: string,
  token: string,
  work: (chat: ChatConnection) => Promise<T>,
): Promise<T> {
  const url = new URL(server);
  const socket = io(url.origin, {
    // A server under a path prefix serves Socket.IO below it, not at the origin's root.
    path: `${url.pathname.replace(/\/$/, '')}/socket.io`,
    auth: { token },
    reconnection: false,
    timeout: ANSWER_TIMEOUT_MS,
  });
  try {
    await greeted(socket, server);
    return await work(new ChatConnection(socket, server));
  } finally {
    socket.disconnect();
  }
}

function greeted(socket: Socket, server: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return new Promise<void>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new ApiError('timeout', `No greeting from the chat at ${server} within 10 s`)),
      ANSWER_TIMEOUT_MS,
    );
    socket.once('connected', (hello: { user?: unknown }) => {
      // The server treats a connection whose token it does not accept as a guest.
      if (hello?.user) resolve();
      else
        reject(new ApiError('unauthorized', `The server at ${server} did not accept the session token`, 401));
    });
    socket.once('auth_error', (e: { error?: string; code?: string }) =>
      reject(new ApiError(e?.code ?? 'unauthorized', e?.error ?? 'Authentication failed', 401)),
    );
    socket.once('connect_error', (err: Error & { data?: { error?: string; code?: string } }) => {
      if (err.data?.code) reject(new ApiError(err.data.code, err.data.error ?? err.message));
      else reject(new ApiError('unreachable', `Cannot reach the mux1 chat at ${server} (${err.message})`));
    });
  }).finally(() => clearTimeout(timer));
}

export class ChatConnection {
  constructor(
    private readonly socket: Socket,
    private readonly server: string,
  ) {}

  /** Rooms other than the lobby are joined first; the server may only accept a room's members. */
  async enter(room: string): Promise<void> {
    if (room !== 'lobby') await this.ask('join', { room });
  }

  send(room: string, text: string): Promise<{ id: number | string }> {
    return this.ask<{ id: number | string }>('message', { room, text });
  }

  async history(room: string, limit?: number): Promise<ChatMessage[]> {
    const answer = await this.ask<{ messages: ChatMessage[] }>('history', { room, limit });
    return answer.messages;
  }

  private async ask<T>(event: string, payload: object): Promise<T> {
    let answer: Ack<T>;
    try {
      answer = (await this.socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck(event, payload)) as Ack<T>;
    } catch {
      throw new ApiError(
        'timeout',
        `The server at ${this.server} did not answer '${event}' within ${ANSWER_TIMEOUT_MS / 1000} s`,
      );
    }
    if (!answer || answer.ok !== true) {
      const failed = answer as { error?: string; code?: string } | undefined;
      throw new ApiError(failed?.code ?? 'unexpected_response', failed?.error ?? `'${event}' failed`);
    }
    return answer;
  }
}
