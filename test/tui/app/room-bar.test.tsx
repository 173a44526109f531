import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useChatApp } from '../../helpers/chat-app.js';

const alt = (c: string) => `\u001B${c}`;
const ctrlN = '\u000E';
const end = '\u001B[F';

/**
 * The room bar and what is new: unread counts and mentions as the server keeps them, the keys that
 * switch rooms, reading only what is shown, and the count of new messages while scrolled up.
 */
describe('TUI: room bar and unread messages', function () {
  this.timeout(30_000);
  const { t, openChat, connected } = useChatApp('bar');

  const deviceOf = async (token: string, room?: string) => {
    const socket = await connected(token);
    if (room) expect((await socket.timeout(5000).emitWithAck('join', { room })).ok).to.equal(true);
    return socket;
  };
  const say = async (socket: Socket, room: string, text: string) =>
    expect((await socket.timeout(5000).emitWithAck('message', { room, text })).ok).to.equal(true);
  /** What the user's other device is told is unread in a room, asked until it says `want`. */
  const unreadElsewhere = async (device: Socket, room: string, want: number) => {
    const until = Date.now() + 5000;
    for (;;) {
      const ack = await device.timeout(5000).emitWithAck('rooms', {});
      const unread = ack.rooms.find((r: { room: string }) => r.room === room)?.unread;
      if (unread === want || Date.now() > until) return unread;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const joinRoom = async (
    stdin: { write(s: string): void },
    lastFrame: () => string | undefined,
    room: string,
  ) => {
    await type(stdin, `/join ${room}`);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes(`you joined #${room}`));
  };

  it('counts unread messages and mentions per room, switches with Alt-n and Ctrl-N, reads what it shows', async () => {
    const me = await t.loggedInPerson('bar');
    const mate = await t.loggedInPerson('barmate');
    const { lastFrame, stdin } = await openChat(me.token);
    await joinRoom(stdin, lastFrame, 'bar-dev');
    await press(stdin, alt('1'));
    await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.startsWith('#lobby'));

    const friend = await deviceOf(mate.token, 'bar-dev');
    // The same user on another device, in the same room: it sees the counts the server keeps.
    const device = await deviceOf(me.token, 'bar-dev');
    await say(friend, 'bar-dev', 'the build is red');
    await say(friend, 'bar-dev', `@${me.username} can you look?`);
    await waitForFrame(lastFrame, (f) => f.includes('2:#bar-dev 2 @1'));
    expect(await unreadElsewhere(device, 'bar-dev', 2)).to.equal(2);

    await press(stdin, alt('2'));
    const shown = await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.startsWith('#bar-dev'));
    expect(shown).to.include('can you look?');
    expect(shown.split('\n')[1]).to.equal('1:#lobby  2:#bar-dev');
    expect(await unreadElsewhere(device, 'bar-dev', 0), 'shown at its bottom, the room is read').to.equal(0);

    await press(stdin, ctrlN);
    await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.startsWith('#lobby'));
    await say(friend, 'bar-dev', 'fixed it');
    await waitForFrame(lastFrame, (f) => f.includes('2:#bar-dev 1'));
    await press(stdin, alt('a'));
    const back = await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.startsWith('#bar-dev'));
    // The last-read marker sits between what was read and what came since.
    expect(back, back).to.match(/can you look\?\n─+ new ─+\n(.*\n)*.*fixed it/);
    // A reply says the user has caught up: the line goes, and does not come back for what follows.
    await type(stdin, 'on it');
    await press(stdin, keys.enter);
    const replied = await waitForFrame(lastFrame, (f) => /on it\s*$/m.test(f) && !f.includes('─ new ─'));
    await say(friend, 'bar-dev', 'thanks');
    const after = await waitForFrame(lastFrame, (f) => f.includes('thanks'));
    expect(after, replied).not.to.include('─ new ─');
  });

  it('while scrolled up, counts what arrives below and leaves it unread until End', async () => {
    const me = await t.loggedInPerson('up');
    const mate = await t.loggedInPerson('upmate');
    const room = 'scroll-new';
    await t.db('messages').insert(
      Array.from({ length: 60 }, (_, i) => ({
        room,
        user_id: null,
        text: `older ${i + 1}`,
        created_at: Date.now() - (60 - i) * 1000,
      })),
    );
    const { lastFrame, stdin } = await openChat(me.token);
    await joinRoom(stdin, lastFrame, room);
    const friend = await deviceOf(mate.token, room);
    const device = await deviceOf(me.token, room);
    await press(stdin, keys.pageUp);
    await waitForFrame(lastFrame, (f) => f.includes('scrolled up'));
    await say(friend, room, 'one');
    await say(friend, room, 'two');
    await waitForFrame(lastFrame, (f) => f.includes('2 new messages below - PgDn / End'));
    expect(await unreadElsewhere(device, room, 2), 'not seen, not read').to.equal(2);
    await press(stdin, end);
    const bottom = await waitForFrame(lastFrame, (f) => !f.includes('scrolled up') && f.includes('two'));
    expect(bottom).not.to.include('new messages below');
    expect(await unreadElsewhere(device, room, 0)).to.equal(0);
  });

  it('sends /me as a "/me " message that others see, and shows it as an action', async () => {
    const me = await t.loggedInPerson('act');
    const mate = await t.loggedInPerson('actmate');
    const { lastFrame, stdin } = await openChat(me.token);
    const friend = await deviceOf(mate.token);
    const heard = new Promise<{ text: string }>((resolve) =>
      friend.on('message', (m: { text: string; user?: { username: string } }) => {
        if (m.user?.username === me.username) resolve(m);
      }),
    );
    await type(stdin, '/me waves at the room');
    await press(stdin, keys.enter);
    expect((await heard).text).to.equal('/me waves at the room');
    await waitForFrame(lastFrame, (f) => f.includes(`* ${me.username} waves at the room`));
  });

  it('says who joined the room after the reader, in one line', async () => {
    const me = await t.loggedInPerson('seen');
    const { lastFrame } = await openChat(me.token);
    const a = await t.loggedInPerson('comer');
    const b = await t.loggedInPerson('comer');
    await deviceOf(a.token);
    await deviceOf(b.token);
    const frame = await waitForFrame(lastFrame, (f) => f.includes(`${b.username} joined`));
    expect(frame).to.match(
      new RegExp(`→ (${a.username}, ${b.username}|${b.username}, ${a.username}) joined`),
    );
  });
});
