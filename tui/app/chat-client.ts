/**
 * The chat as the TUI sees it: plain promises and events, so the screen does not depend on
 * Socket.IO's API. `socket-chat.ts` adapts the shared Socket.IO client (tui/client/socket.ts) to this.
 */
export interface ChatUser {
  id: number;
  username: string;
}

export interface ChatMessage {
  id: number;
  room: string;
  user: ChatUser | null;
  text: string;
  /** Milliseconds since the epoch or an ISO string, as the server sends it. */
  ts: number | string;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ChatEvents {
  message: (m: ChatMessage) => void;
  presence: (p: { room: string; users: ChatUser[] }) => void;
  typing: (t: { room: string; user: ChatUser }) => void;
  state: (s: ConnectionState, detail?: string) => void;
  /** The server ended this session (logout elsewhere, revoked); the reason is for the user. */
  revoked: (why: string) => void;
}

export interface ChatConnection {
  on<E extends keyof ChatEvents>(event: E, listener: ChatEvents[E]): () => void;
  send(room: string, text: string): Promise<void>;
  join(room: string): Promise<void>;
  leave(room: string): Promise<void>;
  history(room: string, before?: number, limit?: number): Promise<ChatMessage[]>;
  typing(room: string): void;
  close(): void;
}
