import type { ChatSocket } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- listeners take each event's own arguments
type Listener = (this: ChatSocket, ...args: any[]) => void;

/** The part of Node's EventEmitter that holds a socket's listeners. */
interface ListenerStore {
  _events: Record<string | symbol, Listener | Listener[] | undefined>;
  _eventsCount: number;
}

/**
 * Gives every socket the same listener table, so that twenty events cost an idle socket nothing
 * per event. Node's EventEmitter keeps each emitter's listeners in its own `_events` object, one
 * entry per event; Socket.IO's sockets start with an empty null-prototype one (a dictionary), and
 * the server's twenty-odd listeners made it the largest thing a signed-in socket held beyond a bare
 * Socket.IO socket's (bench/socket-heap.ts). Here a socket's table is an object whose prototype
 * holds the shared listeners: `emit` finds them through the prototype, in the order Socket.IO
 * dispatches (after `socket.use` middleware, unlike `onAny`); a listener added to one socket
 * (`socket.on`) becomes an own entry, beside the shared one for the same event (EventEmitter makes
 * an own array of both). Listeners the socket already had (Socket.IO's own `error` no-op) are kept.
 *
 * Call it before anything else adds a listener: in the first middleware.
 */
export function sharedListeners(listeners: Record<string, Listener>): (socket: ChatSocket) => void {
  // Not frozen: EventEmitter assigns an own array over an inherited listener, which a frozen
  // prototype would refuse.
  const shared: Record<string, Listener> = Object.assign(Object.create(null) as object, listeners);
  const sharedCount = Object.keys(listeners).length;
  return (socket) => {
    const store = socket as unknown as ListenerStore;
    const own = store._events;
    const table = Object.create(shared) as ListenerStore['_events'];
    let count = sharedCount;
    for (const key of Reflect.ownKeys(own)) {
      const mine = own[key];
      if (mine === undefined) continue;
      const inherited = typeof key === 'string' ? shared[key] : undefined;
      if (inherited) table[key] = [inherited, ...(Array.isArray(mine) ? mine : [mine])];
      else {
        table[key] = mine;
        count++;
      }
    }
    store._events = table;
    store._eventsCount = count;
  };
}
