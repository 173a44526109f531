import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { waitForFrame } from '../../helpers/ink-keys.js';
import { useChatApp } from '../../helpers/chat-app.js';

/**
 * A reader at the bottom of a busy room reads every message as it comes; the TUI tells the server
 * so at most once a second, not once a message, and the last marker always arrives: when the
 * stream stops, and when the screen closes within the second.
 */
describe('TUI: read markers during a burst of messages', function () {
  this.timeout(30_000);
  const { t, openChat, connected } = useChatApp('reads');

  /** The user's other device: counts the `read` events it is told of. */
  const otherDevice = async (token: string) => {
    const socket = await connected(token);
    const reads: number[] = [];
    socket.on('read', (r: { room: string; last_read_id: number }) => {
      if (r.room === 'lobby') reads.push(r.last_read_id);
    });
    return { socket, reads };
  };
  /** Where the server's marker for the lobby stands, asked until it is `want` (or 5 s pass). */
  const markerOf = async (socket: Socket, want: number) => {
    const until = Date.now() + 5000;
    for (;;) {
      const ack = await socket.timeout(5000).emitWithAck('rooms', {});
      const marker = ack.rooms.find((r: { room: string }) => r.room === 'lobby')?.last_read_id;
      if (marker === want || Date.now() > until) return marker;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const say = async (socket: Socket, text: string): Promise<number> => {
    const ack = await socket.timeout(5000).emitWithAck('message', { room: 'lobby', text });
    expect(ack, text).to.include({ ok: true });
    return ack.id;
  };

  it('sends far fewer `read` events than messages, the last one at the newest message', async () => {
    const me = await t.loggedInPerson('reader');
    const mate = await t.loggedInPerson('talker');
    const { lastFrame } = await openChat(me.token);
    const device = await otherDevice(me.token);
    // Five sockets of ten messages each: a socket may send ten in a burst.
    const senders = await Promise.all([1, 2, 3, 4, 5].map(() => connected(mate.token)));
    const started = Date.now();
    const sent = new Map<number, string>();
    await Promise.all(
      senders.map(async (s, n) => {
        for (let i = 1; i <= 10; i++) sent.set(await say(s, `burst ${n}-${i}.`), `burst ${n}-${i}.`);
      }),
    );
    const last = Math.max(...sent.keys());
    await waitForFrame(lastFrame, (f) => f.includes(sent.get(last)!));
    expect(await markerOf(device.socket, last), 'the marker at the newest message').to.equal(last);
    // Until the marker is at the newest message, not until the last send's answer: on a loaded
    // machine the screen takes the stream in later than the sockets send it, and reads follow it.
    const tookMs = Date.now() - started;
    // One at once, then one a second at most (and one when the stream stops).
    expect(device.reads.length, `${device.reads.length} reads for 50 messages in ${tookMs} ms`).to.be.at.most(
      2 + Math.ceil(tookMs / 1000),
    );
    expect(device.reads.at(-1)).to.equal(last);
    // Never backwards.
    expect(device.reads).to.deep.equal([...device.reads].sort((a, b) => a - b));
  });

  it('sends the marker still held back when the screen closes', async () => {
    const me = await t.loggedInPerson('closer');
    const mate = await t.loggedInPerson('closermate');
    const app = await openChat(me.token);
    const device = await otherDevice(me.token);
    const sender = await connected(mate.token);
    // The first is said at once; those within the next second wait.
    const first = await say(sender, 'first of four');
    await waitForFrame(app.lastFrame, (f) => f.includes('first of four'));
    expect(await markerOf(device.socket, first)).to.equal(first);
    await say(sender, 'second of four');
    await say(sender, 'third of four');
    const last = await say(sender, 'last of four');
    await waitForFrame(app.lastFrame, (f) => f.includes('last of four'));
    app.unmount();
    expect(await markerOf(device.socket, last), 'the marker at the last message').to.equal(last);
  });
});
