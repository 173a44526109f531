import { ChatClient, type ConnectionState as SocketState } from '../client/socket.js';
import type { ChatConnection, ChatEvents, ConnectionState } from './chat-client.js';

const stateOf = (s: SocketState): [ConnectionState, string | undefined] => {
  switch (s.status) {
    case 'connecting':
      return ['connecting', undefined];
    case 'online':
      return ['connected', undefined];
    case 'reconnecting':
      return ['reconnecting', s.reason];
    case 'offline':
      return ['offline', s.reason];
  }
};

/** The shared Socket.IO client, seen through the TUI's ChatConnection interface. */
export function connectSocketChat(server: string, token: string): ChatConnection {
  const client = new ChatClient({ server, token });
  const listeners: { [E in keyof ChatEvents]: Set<ChatEvents[E]> } = {
    message: new Set(),
    presence: new Set(),
    typing: new Set(),
    edited: new Set(),
    deleted: new Set(),
    mention: new Set(),
    read: new Set(),
    moderation: new Set(),
    state: new Set(),
    revoked: new Set(),
  };
  client.on('message', (m) => listeners.message.forEach((l) => l(m)));
  client.on('presence', (p) => listeners.presence.forEach((l) => l(p)));
  client.on('typing', (t) => listeners.typing.forEach((l) => l(t)));
  client.on('message_edited', (e) => listeners.edited.forEach((l) => l(e)));
  client.on('message_deleted', (e) => listeners.deleted.forEach((l) => l(e)));
  client.on('mention', (m) => listeners.mention.forEach((l) => l(m)));
  client.on('read', (r) => listeners.read.forEach((l) => l(r)));
  client.on('moderation', (e) => listeners.moderation.forEach((l) => l(e)));
  // The server says `unauthorized` before it drops a revoked session, and right after a
  // connection whose token no longer works: either way this session is over.
  client.on('auth_error', (e) => {
    if (e.code === 'unauthorized') listeners.revoked.forEach((l) => l(e.error));
  });
  client.onState((s) => {
    const [state, detail] = stateOf(s);
    listeners.state.forEach((l) => l(state, detail));
  });
  // Failures to connect surface as states; reconnection keeps trying in the background.
  client.connect().catch((err: Error) => listeners.state.forEach((l) => l('offline', err.message)));

  return {
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    send: (room, text, clientId) => client.send(text, room, clientId),
    sendTo: async (username, text) => {
      await client.sendTo(text, username);
    },
    edit: async (id, text) => {
      await client.edit(id, text);
    },
    remove: (id) => client.remove(id),
    markRead: async (room, id) => {
      await client.markRead(room, id);
    },
    roomStates: () => client.roomStates(),
    search: (query) => client.search({ query }),
    join: (room) => client.join(room),
    leave: (room) => client.leave(room),
    history: (room, before, limit) => client.history({ room, before, limit }),
    conversationWith: (username) => client.conversationWith(username),
    typing: (room) => client.typing(room),
    moderate: async (request) => {
      await client.moderate(request);
    },
    createPrivateRoom: (room) => client.createPrivateRoom(room),
    setMember: async (room, username, member) => {
      await client.setMember(room, username, member);
    },
    close: () => client.close(),
  };
}
