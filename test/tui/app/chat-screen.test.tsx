import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { io, type Socket } from 'socket.io-client';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { loggedInPerson } from '../../helpers/accounts.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';
import { freePort } from '../../helpers/ports.js';

/** The chat pane against a real server, with a second person on a plain Socket.IO client. */
describe('TUI: chat pane', function () {
  this.timeout(30_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const sockets: Socket[] = [];

  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
    sockets.splice(0).forEach((s) => s.disconnect());
  });
  after(async () => {
    rmSync(configDir, { recursive: true, force: true });
  });

  const openChat = async (server: TestServer, token: string) => {
    const services = liveServices({
      server: server.url,
      userAgent: 'mux1-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir },
    });
    app = render(<App services={services} storedToken={token} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('#lobby') && f.includes('● connected'));
    return app;
  };

  const friend = async (token: string) => {
    const socket = io(t.url, { auth: { token }, transports: ['websocket'] });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connected', () => resolve()));
    return socket;
  };

  it('shows messages from others live, sends its own, and shows who is here and typing', async () => {
    const me = await t.loggedInPerson('pane');
    const other = await t.loggedInPerson('mate');
    const { lastFrame, stdin } = await openChat(t, me.token);
    const socket = await friend(other.token);

    await waitForFrame(lastFrame, (f) => f.includes(other.username) && /2 here/.test(f));
    socket.emit('typing', { room: 'lobby' });
    await waitForFrame(lastFrame, (f) => f.includes(`${other.username} is typing…`));

    const ack = await socket
      .timeout(5000)
      .emitWithAck('message', { room: 'lobby', text: 'hello from a socket' });
    expect(ack.ok).to.equal(true);
    await waitForFrame(lastFrame, (f) => f.includes('hello from a socket'));

    const seen = new Promise<{ text: string }>((resolve) => socket.on('message', (m) => resolve(m)));
    await type(stdin, 'hi back from the terminal');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('hi back from the terminal'));
    expect((await seen).text).to.equal('hi back from the terminal');
  });

  it('never lets another user repaint the screen', async () => {
    const me = await t.loggedInPerson('safe');
    const eve = await t.loggedInPerson('eve');
    const { lastFrame } = await openChat(t, me.token);
    const socket = await friend(eve.token);
    await socket
      .timeout(5000)
      .emitWithAck('message', { room: 'lobby', text: 'x\u001B[2J\u001B[Hcleared?\u001B]0;pwned\u0007' });
    const frame = await waitForFrame(lastFrame, (f) => f.includes('cleared?'));
    expect(frame).not.to.include('\u001B[2J');
    expect(frame).not.to.include('pwned\u0007');
  });

  it('runs the slash commands: /join, /who, /rooms, /leave, /help and unknown ones', async () => {
    const me = await t.loggedInPerson('slash');
    const { lastFrame, stdin } = await openChat(t, me.token);
    await type(stdin, '/join dev-ops');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('#dev-ops') && f.includes('you joined #dev-ops'));
    await type(stdin, '/who');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes(`in #dev-ops: ${me.username}`));
    await type(stdin, '/rooms');
    await press(stdin, keys.enter);
    // The lobby may count messages of earlier tests as unread, if /join came before its history.
    await waitForFrame(lastFrame, (f) => /your rooms: #lobby( \(\d+ unread\))? #dev-ops/.test(f));
    await type(stdin, '/leave');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('#lobby') && f.includes('you left #dev-ops'));
    await type(stdin, '/help');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('/join ROOM'));
    await type(stdin, '/dance');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('unknown command /dance'));
    await type(stdin, '/join ../../etc');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('room names are 1-32'));
  });

  it('shows a refused message as an error and stores nothing', async () => {
    const me = await t.loggedInPerson('long');
    const { lastFrame, stdin } = await openChat(t, me.token);
    await type(stdin, 'x'.repeat(2001));
    const drafted = await waitForFrame(lastFrame, (f) => f.includes('x'.repeat(50)));
    expect(drafted.split('\n').length, 'a long draft does not outgrow the terminal').to.be.at.most(24);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('✗') && /2000/.test(f));
    const stored = await t.server
      .db('messages')
      .where({ text: 'x'.repeat(2001) })
      .count({ n: '*' });
    expect(Number(stored[0]!.n)).to.equal(0);
  });

  it('loads older messages from history when scrolled to the top', async () => {
    const me = await t.loggedInPerson('scroll');
    const room = 'archive';
    const rows = Array.from({ length: 150 }, (_, i) => ({
      room,
      user_id: null,
      text: `old message ${i + 1}`,
      created_at: Date.now() - (150 - i) * 1000,
    }));
    await t.db('messages').insert(rows);
    const { lastFrame, stdin } = await openChat(t, me.token);
    await type(stdin, `/join ${room}`);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('old message 150'));
    // 150 messages: the first page of history holds the newest 50, the rest load on the way up.
    const oldest = /old message 1$/m;
    for (let i = 0; i < 40 && !oldest.test(lastFrame() ?? ''); i++) await press(stdin, keys.pageUp);
    expect(lastFrame()).to.match(oldest);
    await press(stdin, keys.pageDown);
    expect(lastFrame()).to.include('scrolled up');
  });

  it('shows the connection dropping, and gets back the session after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mux1-restart-'));
    // A port of its own (helpers/ports.ts): one the kernel handed out may be taken while it is down.
    const port = String(await freePort());
    const first = await startTestServer({
      dir,
      env: { SMTP_URL: t.mail.url, LOG_LEVEL: 'warn', PORT: port },
    });
    const me = await loggedInPerson(first.url, t.mail, 'drop');
    const { lastFrame } = await openChat(first, me.token);
    await first.close();
    await waitForFrame(lastFrame, (f) => f.includes('● reconnecting') || f.includes('● offline'));
    const second = await startTestServer({
      dir,
      env: { SMTP_URL: t.mail.url, LOG_LEVEL: 'warn', PORT: port },
    });
    try {
      await waitForFrame(lastFrame, (f) => f.includes('● connected'), 15_000);
    } finally {
      app?.unmount();
      app = undefined;
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns to the start screen when the session is revoked elsewhere', async () => {
    const me = await t.loggedInPerson('kicked');
    const { lastFrame } = await openChat(t, me.token);
    await fetch(t.url + '/api/logout', { method: 'POST', headers: { authorization: `Bearer ${me.token}` } });
    await waitForFrame(lastFrame, (f) => f.includes('session ended') && f.includes('Log in'));
  });
});
