import { expect } from 'chai';
import { tempDir } from '../../helpers/cli.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { MANY_SIGNUPS } from '../../helpers/fixture.js';
import { ask, chatPerson, connectAs, disconnectAll, type ChatPerson } from '../../helpers/sockets.js';

/*
 * Mutes, bans and private rooms are kept in the database: a server restarted on the same
 * database file holds the member to them as the first one did.
 */
describe('chat: moderation survives a restart', () => {
  const dir = tempDir('mux1-moderation-');
  let first: TestServer | undefined;
  let second: TestServer | undefined;

  after(async () => {
    disconnectAll();
    await first?.close();
    await second?.close();
    dir.remove();
  });

  it('a muted member stays muted, a banned one banned, and a private room private', async () => {
    first = await startTestServer({ dir: dir.path, env: MANY_SIGNUPS });
    const people: ChatPerson[] = [];
    for (const prefix of ['rsmod', 'rsmuted', 'rsbanned', 'rsother'])
      people.push(await chatPerson(first, prefix));
    const [mod, muted, banned, other] = people as [ChatPerson, ChatPerson, ChatPerson, ChatPerson];
    await first.server.db('users').where({ id: mod.id }).update({ role: 'moderator' });
    const m = await connectAs(first.url, mod);
    await ask(m, 'join', { room: 'keep' });
    expect(
      await ask(m, 'moderate', { action: 'mute', room: 'keep', user_id: muted.id, minutes: 30 }),
    ).to.include({
      ok: true,
    });
    expect(await ask(m, 'moderate', { action: 'ban', room: 'keep', user_id: banned.id })).to.include({
      ok: true,
    });
    expect(await ask(m, 'create', { room: 'vault', private: true })).to.include({ ok: true });
    disconnectAll();
    await first.stop();

    second = await startTestServer({ dir: dir.path, env: MANY_SIGNUPS });
    const mutedSocket = await connectAs(second.url, muted);
    expect(await ask(mutedSocket, 'join', { room: 'keep' })).to.include({ ok: true });
    expect(await ask(mutedSocket, 'message', { room: 'keep', text: 'did it stick?' })).to.include({
      ok: false,
      code: 'muted',
    });
    expect(await ask(await connectAs(second.url, banned), 'join', { room: 'keep' })).to.include({
      ok: false,
      code: 'banned',
    });
    expect(await ask(await connectAs(second.url, other), 'join', { room: 'vault' })).to.include({
      ok: false,
      code: 'forbidden',
    });
    expect(await ask(await connectAs(second.url, mod), 'join', { room: 'vault' })).to.include({ ok: true });
  });
});
