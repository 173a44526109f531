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
  /** Ids of the users the text mentions (`@name`). */
  mentions?: number[];
  edited_at?: number | null;
}

/** A room or direct conversation with what is unread in it, for the room list. */
export interface RoomSummary {
  room: string;
  unread: number;
  mentions: number;
  /** The newest message the user has read there, on any device (0: none). */
  last_read_id?: number;
  /** The other user of a direct conversation. */
  with?: ChatUser;
}

/** A member kicked, muted, unmuted, banned or unbanned in a room (the server's `moderation`). */
export interface ModerationLine {
  room: string;
  action: 'kick' | 'mute' | 'unmute' | 'ban' | 'unban';
  user: ChatUser;
  by: ChatUser;
  until?: number | null;
}

/** What a moderator or a private room's owner asks of the server (see moderation-commands.ts). */
export interface ModerationRequest {
  action: 'delete' | ModerationLine['action'];
  room: string;
  username?: string;
  message_id?: number;
  minutes?: number;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ChatEvents {
  message: (m: ChatMessage) => void;
  presence: (p: { room: string; users: ChatUser[] }) => void;
  typing: (t: { room: string; user: ChatUser }) => void;
  edited: (e: { id: number; room: string; text: string; edited_at: number; mentions: number[] }) => void;
  deleted: (e: { id: number; room: string }) => void;
  /** A message naming the user in a room they are not looking at. */
  mention: (m: ChatMessage) => void;
  /** Another device of the user read a room up to `last_read_id`. */
  read: (r: { room: string; last_read_id: number }) => void;
  moderation: (e: ModerationLine) => void;
  state: (s: ConnectionState, detail?: string) => void;
  /** The server ended this session (logout elsewhere, revoked); the reason is for the user. */
  revoked: (why: string) => void;
}

export interface ChatConnection {
  on<E extends keyof ChatEvents>(event: E, listener: ChatEvents[E]): () => void;
  /** Resolves with the stored message's id; the same `clientId` again is stored once. */
  send(room: string, text: string, clientId?: string): Promise<number>;
  /** A direct message; resolves with the conversation's room. */
  sendTo(username: string, text: string): Promise<void>;
  edit(id: number, text: string): Promise<void>;
  remove(id: number): Promise<void>;
  markRead(room: string, id: number): Promise<void>;
  roomStates(): Promise<RoomSummary[]>;
  /** Messages matching the words, newest first, from the rooms the user may read. */
  search(query: string): Promise<ChatMessage[]>;
  join(room: string): Promise<void>;
  leave(room: string): Promise<void>;
  history(room: string, before?: number, limit?: number): Promise<ChatMessage[]>;
  /** The direct message room with this username and who that is; fails for a name with no account. */
  conversationWith(username: string): Promise<{ room: string; with: ChatUser }>;
  moderate(request: ModerationRequest): Promise<void>;
  createPrivateRoom(room: string): Promise<void>;
  setMember(room: string, username: string, member: boolean): Promise<void>;
  typing(room: string): void;
  close(): void;
}
