import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { waitForFrame } from '../../helpers/ink-keys.js';
import { useChatApp } from '../../helpers/chat-app.js';

/**
 * Issue 22: a TUI started afresh (a restart) knows no rooms of its own; its room bar must still
 * show every conversation the user has - direct messages, private rooms they were invited to,
 * public rooms they read before - with what is unread in each, as the server's `rooms` says.
 */
describe('TUI: the room bar after a restart', function () {
  this.timeout(30_000);
  const { t, start, connected } = useChatApp('restart');

  const ask = async (socket: Socket, event: string, payload: object) => {
    const answer = await socket.emitWithAck(event, payload);
    expect(answer, `${event} ${JSON.stringify(payload)}`).to.include({ ok: true });
    return answer;
  };

  it('lists direct messages, private rooms and rooms read before, with their unread counts', async () => {
    const me = await t.loggedInPerson('back');
    const mate = await t.loggedInPerson('mate');
    // Before the restart: I read #games (the server keeps my marker there).
    const mine = await connected(me.token);
    await ask(mine, 'join', { room: 'games' });
    const first = await ask(mine, 'message', { room: 'games', text: 'anyone?' });
    await ask(mine, 'read', { room: 'games', id: first.id });
    mine.disconnect();
    // While I am away: a direct message, a private room I am invited to, and news in both rooms.
    const theirs = await connected(mate.token);
    await ask(theirs, 'message', { to: me.username, text: 'psst' });
    await ask(theirs, 'create', { room: 'hideout', private: true });
    await ask(theirs, 'invite', { room: 'hideout', username: me.username });
    await ask(theirs, 'join', { room: 'hideout' });
    await ask(theirs, 'message', { room: 'hideout', text: 'welcome' });
    await ask(theirs, 'message', { room: 'hideout', text: 'again' });
    await ask(theirs, 'join', { room: 'games' });
    await ask(theirs, 'message', { room: 'games', text: 'me!' });

    const app = start(me.token);
    const frame = await waitForFrame(
      app.lastFrame,
      (f) => f.includes('● connected') && f.includes('hideout') && f.includes(`@${mate.username}`),
    );
    const bar = frame.split('\n')[1]!;
    expect(bar).to.include('#games 1');
    expect(bar).to.include('#hideout 2');
    expect(bar).to.include(`@${mate.username} 1`);
  });
});
