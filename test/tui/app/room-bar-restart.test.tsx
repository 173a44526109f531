import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { io, type Socket } from 'socket.io-client';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';

/**
 * Issue 22: a TUI started afresh (a restart) knows no rooms of its own; its room bar must still
 * show every conversation the user has - direct messages, private rooms they were invited to,
 * public rooms they read before - with what is unread in each, as the server's `rooms` says.
 */
describe('TUI: the room bar after a restart', function () {
  this.timeout(30_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const sockets: Socket[] = [];
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-restart-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
    sockets.splice(0).forEach((s) => s.disconnect());
  });
  after(() => rmSync(configDir, { recursive: true, force: true }));

  const connect = async (token: string) => {
    const socket = io(t.url, { auth: { token }, transports: ['websocket'] });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connected', () => resolve()));
    return socket;
  };
  const ask = async (socket: Socket, event: string, payload: object) => {
    const answer = await socket.emitWithAck(event, payload);
    expect(answer, `${event} ${JSON.stringify(payload)}`).to.include({ ok: true });
    return answer;
  };

  it('lists direct messages, private rooms and rooms read before, with their unread counts', async () => {
    const me = await t.loggedInPerson('back');
    const mate = await t.loggedInPerson('mate');
    // Before the restart: I read #games (the server keeps my marker there).
    const mine = await connect(me.token);
    await ask(mine, 'join', { room: 'games' });
    const first = await ask(mine, 'message', { room: 'games', text: 'anyone?' });
    await ask(mine, 'read', { room: 'games', id: first.id });
    mine.disconnect();
    // While I am away: a direct message, a private room I am invited to, and news in both rooms.
    const theirs = await connect(mate.token);
    await ask(theirs, 'message', { to: me.username, text: 'psst' });
    await ask(theirs, 'create', { room: 'hideout', private: true });
    await ask(theirs, 'invite', { room: 'hideout', username: me.username });
    await ask(theirs, 'join', { room: 'hideout' });
    await ask(theirs, 'message', { room: 'hideout', text: 'welcome' });
    await ask(theirs, 'message', { room: 'hideout', text: 'again' });
    await ask(theirs, 'join', { room: 'games' });
    await ask(theirs, 'message', { room: 'games', text: 'me!' });

    const services = liveServices({
      server: t.url,
      userAgent: 'mux1-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir, MUX1_BELL: '0' },
    });
    app = render(<App services={services} storedToken={me.token} />);
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
