import { expect } from 'chai';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useChatApp } from '../../helpers/chat-app.js';

/** /search lists what the server finds and Enter shows it in its room; /query opens a conversation. */
describe('TUI: /search and /query', function () {
  this.timeout(30_000);
  const { t, openChat, socketOf } = useChatApp('search');

  const command = async (stdin: { write(s: string): void }, line: string) => {
    await type(stdin, line);
    await press(stdin, keys.enter);
  };

  it('lists the matches newest first, and Enter shows an old one in its room, loading older pages', async () => {
    const me = await t.loggedInPerson('finder');
    const room = 'haystack';
    // 300 messages: the one sought is far older than the first page of history.
    await t.db('messages').insert(
      Array.from({ length: 300 }, (_, i) => ({
        room,
        user_id: null,
        text: i === 20 ? 'the needle is here' : i === 250 ? 'another needle' : `hay ${i}`,
        created_at: Date.now() - (300 - i) * 1000,
      })),
    );
    const { lastFrame, stdin } = await openChat(me.token);
    await command(stdin, `/join ${room}`);
    await waitForFrame(lastFrame, (f) => f.includes('hay 299'));
    await command(stdin, '/join elsewhere');
    await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.startsWith('#elsewhere'));

    await command(stdin, '/search needle');
    const list = await waitForFrame(lastFrame, (f) => f.includes('2 found for "needle"'));
    expect(list.indexOf('another needle')).to.be.lessThan(list.indexOf('the needle is here'));
    await press(stdin, keys.down);
    await press(stdin, keys.enter);
    const shown = await waitForFrame(
      lastFrame,
      (f) => f.split('\n')[0]!.startsWith(`#${room}`) && f.includes('the needle is here'),
      10_000,
    );
    expect(shown).to.include('hay 19');
    expect(shown).to.include('scrolled up');
    // The draft has the keyboard back.
    await type(stdin, 'typing again');
    await waitForFrame(lastFrame, (f) => f.includes('> typing again'));
  });

  it('says when nothing is found, and Esc goes back to the chat', async () => {
    const me = await t.loggedInPerson('empty');
    const { lastFrame, stdin } = await openChat(me.token);
    await command(stdin, '/search zzyzx-nowhere');
    await waitForFrame(lastFrame, (f) => f.includes('nothing found for "zzyzx-nowhere"'));
    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => !f.includes('nothing found') && f.includes('message #lobby'));
  });

  it('/query opens a conversation with someone seen in the room, in the room bar, without sending', async () => {
    const me = await t.loggedInPerson('asker');
    const mate = await t.loggedInPerson('asked');
    const { lastFrame, stdin } = await openChat(me.token);
    // The mate comes after the chat has its room's presence, so their arrival is a "joined" line
    // (had they been there first, they would be in the first presence list, with no line).
    await waitForFrame(lastFrame, (f) => f.includes(`1 here: ${me.username}`));
    const friend = socketOf(mate.token);
    await waitForFrame(lastFrame, (f) => f.includes(`${mate.username} joined`));
    await command(stdin, `/query ${mate.username}`);
    const opened = await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.startsWith(`@${mate.username}`));
    expect(opened.split('\n')[1]).to.include(`2:@${mate.username}`);
    const stored = await t.db('messages').where('room', 'like', 'dm:%').count({ n: '*' });
    expect(Number(stored[0]!.n), 'opening sends nothing').to.equal(0);
    const heard = new Promise<{ text: string; room: string }>((resolve) => friend.once('message', resolve));
    await command(stdin, 'hello in private');
    const got = await heard;
    expect(got.text).to.equal('hello in private');
    expect(got.room).to.match(/^dm:\d+-\d+$/);

    await command(stdin, '/query stranger-nobody');
    await waitForFrame(lastFrame, (f) => f.includes('✗ there is no user named stranger-nobody'));
  });

  it('/query opens a conversation with someone never seen here, the server naming their room', async () => {
    const me = await t.loggedInPerson('seeker');
    // Never online, never wrote: the TUI knows nothing of them but the name typed.
    const hermit = await t.loggedInPerson('hermit');
    const { lastFrame, stdin } = await openChat(me.token);
    await command(stdin, `/query ${hermit.username.toUpperCase()}`);
    const opened = await waitForFrame(lastFrame, (f) => f.split('\n')[0]!.startsWith(`@${hermit.username}`));
    expect(opened.split('\n')[1]).to.include(`2:@${hermit.username}`);
    const friend = socketOf(hermit.token);
    const heard = new Promise<{ text: string; room: string }>((resolve) => friend.once('message', resolve));
    await command(stdin, 'are you there');
    const got = await heard;
    const idOf = async (username: string) =>
      Number((await t.db('users').where({ username }).first('id'))!.id);
    expect(got).to.include({
      text: 'are you there',
      room: `dm:${await idOf(me.username)}-${await idOf(hermit.username)}`,
    });
    await command(stdin, `/query ${me.username}`);
    await waitForFrame(lastFrame, (f) => f.includes('✗ a conversation needs someone else'));
  });
});
