import type { ChatServer } from './types.js';

/** What this module touches of an engine.io WebSocket transport (engine.io 6, ws 8). */
interface WebSocketTransport {
  name: string;
  send(packets: unknown[]): void;
  socket?: { _socket?: { cork(): void; uncork(): void } };
}

/** The send of engine.io's WebSocket transport, as it came: the wrapper below calls it. */
let sendPackets: WebSocketTransport['send'] | undefined;

/**
 * engine.io writes each packet waiting for a socket as a frame of its own, and ws writes each
 * frame with a write of its own: one system call per frame, on the server, and a read and a
 * wake-up per frame on the client. A busy room hands a socket several packets at once (a batch
 * of stored messages is broadcast in one turn), so they go out corked: the frames of one flush
 * in one write. What is sent, and in what order, is unchanged.
 *
 * The transport's own `send` is swapped on the instance, with one function shared by every
 * socket, so each socket holds a reference and no closure (socket memory is measured,
 * bench/socket-memory.ts); engine.io itself is left as it is for anything else in the process.
 */
function sendCorked(this: WebSocketTransport, packets: unknown[]): void {
  const tcp = this.socket?._socket;
  if (packets.length < 2 || !tcp) return sendPackets!.call(this, packets);
  tcp.cork();
  try {
    sendPackets!.call(this, packets);
  } finally {
    tcp.uncork();
  }
}

function batch(transport: WebSocketTransport): void {
  if (transport.name !== 'websocket') return;
  sendPackets ??= Object.getPrototypeOf(transport).send as WebSocketTransport['send'];
  transport.send = sendCorked;
}

/** Sends every WebSocket connection's waiting frames in one write (a browser's after its upgrade). */
export function batchFrames(io: ChatServer): void {
  io.engine.on(
    'connection',
    (raw: { transport: WebSocketTransport; once(e: 'upgrade', f: typeof batch): void }) => {
      if (raw.transport.name === 'websocket') batch(raw.transport);
      else raw.once('upgrade', batch);
    },
  );
}
