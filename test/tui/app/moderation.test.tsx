import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { parseModerationSlash } from '../../../tui/app/moderation-commands.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { ask, connectAs, nextEvent, type ChatPerson } from '../../helpers/sockets.js';

describe('TUI: moderation and private room commands', function () {
  this.timeout(30_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const t = useServer({ env: { ...MANY_SIGNUPS, LOG_LEVEL: 'warn' } });

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-mod-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(() => rmSync(configDir, { recursive: true, force: true }));

  const openChat = async (person: ChatPerson) => {
    const services = liveServices({
      server: t.url,
      userAgent: 'mux1-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir },
    });
    app = render(<App services={services} storedToken={person.token} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('#lobby') && f.includes('● connected'));
    return app;
  };
  const command = async (stdin: { write(s: string): void }, line: string) => {
    await type(stdin, line);
    await press(stdin, keys.enter);
  };

  it('parses the commands and refuses bad arguments before sending anything', () => {
    expect(parseModerationSlash('/kick @Eve')).to.deep.equal({ name: 'kick', username: 'eve' });
    expect(parseModerationSlash('/mute eve 15')).to.deep.equal({
      name: 'mute',
      username: 'eve',
      minutes: 15,
    });
    expect(parseModerationSlash('/create #Den --private')).to.deep.equal({
      name: 'create-private',
      room: 'den',
    });
    expect(parseModerationSlash('/create-private den')).to.deep.equal({
      name: 'create-private',
      room: 'den',
    });
    expect(parseModerationSlash('/delete eve')).to.deep.equal({ name: 'delete-of', username: 'eve' });
    // A bare /delete is the author's own, handled with the other commands.
    expect(parseModerationSlash('/delete')).to.equal(undefined);
    expect(parseModerationSlash('hello /kick eve')).to.equal(undefined);
    for (const line of [
      '/kick',
      '/kick a b',
      '/kick x!',
      '/mute eve',
      '/mute eve 0',
      '/mute eve -3',
      '/mute eve 10081',
      '/mute eve 1e3',
      '/mute eve NaN',
      '/create den',
      '/create den --public',
      '/create-private Bad!Room',
      '/create-private dm:1-2',
      '/invite',
    ]) {
      expect(parseModerationSlash(line), line).to.include({ name: 'invalid' });
    }
  });

  it('lists its commands under /help mod, pointed at from /help', async () => {
    const [someone] = await t.chatPeople('thelp');
    const { lastFrame, stdin } = await openChat(someone);
    await command(stdin, '/help');
    await waitForFrame(lastFrame, (f) => f.includes('/join ROOM') && f.includes('/help mod'));
    await command(stdin, '/help mod');
    await waitForFrame(lastFrame, (f) => f.includes('moderators: /kick USER') && f.includes('/invite USER'));
  });

  it('a moderator mutes, kicks and deletes from the chat; everyone sees the line', async () => {
    const [mod, eve] = await t.chatPeople('tmod', 'teve');
    await t.server.db('users').where({ id: mod.id }).update({ role: 'moderator' });
    const { lastFrame, stdin } = await openChat(mod);
    const e = await connectAs(t.url, eve);
    const { id } = await ask(e, 'message', { room: 'lobby', text: 'buy cheap pills' });
    await waitForFrame(lastFrame, (f) => f.includes('buy cheap pills'));

    const muted = nextEvent(e, 'moderation');
    await command(stdin, `/mute ${eve.username} 15`);
    expect(await muted).to.include({ action: 'mute', room: 'lobby' });
    await waitForFrame(lastFrame, (f) =>
      f.includes(`⚑ ${eve.username} was muted in #lobby by ${mod.username} until`),
    );
    expect(await ask(e, 'message', { room: 'lobby', text: 'again' })).to.include({ code: 'muted' });

    const deleted = nextEvent(e, 'message_deleted');
    await command(stdin, `/delete ${eve.username}`);
    expect(await deleted).to.deep.equal({ id, room: 'lobby' });
    await waitForFrame(
      lastFrame,
      (f) => !f.includes('buy cheap pills') && f.includes('you deleted a message'),
    );

    await command(stdin, `/kick ${eve.username}`);
    await waitForFrame(lastFrame, (f) =>
      f.includes(`⚑ ${eve.username} was kicked from #lobby by ${mod.username}`),
    );
    await command(stdin, `/unmute ${eve.username}`);
    await waitForFrame(lastFrame, (f) => f.includes(`⚑ ${eve.username} was unmuted`));
  });

  it("a user who tries is told the server's refusal, and sees a moderation line about themself", async () => {
    const [user, mod] = await t.chatPeople('tuser', 'tmod2');
    await t.server.db('users').where({ id: mod.id }).update({ role: 'moderator' });
    const { lastFrame, stdin } = await openChat(user);
    await command(stdin, `/ban ${mod.username}`);
    await waitForFrame(lastFrame, (f) => f.includes('✗ only moderator or admin accounts may do this'));
    const m = await connectAs(t.url, mod);
    await ask(m, 'moderate', { action: 'mute', room: 'lobby', user_id: user.id, minutes: 5 });
    await waitForFrame(lastFrame, (f) => f.includes(`⚑ you were muted in #lobby by ${mod.username} until`));
  });

  it('makes a private room, invites and removes a member', async () => {
    const [owner, friend] = await t.chatPeople('towner', 'tfriend');
    const { lastFrame, stdin } = await openChat(owner);
    await command(stdin, '/create #den --private');
    await waitForFrame(
      lastFrame,
      (f) => f.includes('you made the private room #den') && f.includes('#den ·'),
    );
    const f = await connectAs(t.url, friend);
    expect(await ask(f, 'join', { room: 'den' })).to.include({ code: 'forbidden' });
    await command(stdin, `/invite ${friend.username}`);
    await waitForFrame(lastFrame, (fr) => fr.includes(`${friend.username} may now join #den`));
    expect(await ask(f, 'join', { room: 'den' })).to.include({ ok: true });
    await command(stdin, `/remove ${friend.username}`);
    await waitForFrame(lastFrame, (fr) => fr.includes(`${friend.username} was removed from #den`));
    expect(await ask(f, 'join', { room: 'den' })).to.include({ code: 'forbidden' });
  });
});
