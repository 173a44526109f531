import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { loggedInPerson } from '../../helpers/accounts.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';
import { freePort } from '../../helpers/ports.js';

/**
 * Messages written while the server is away: kept, shown with a clock, sent once when it is back,
 * across a restart of the server and of the TUI, against real servers on one database.
 */
describe('TUI: messages on their way (the outbox)', function () {
  this.timeout(60_000);
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });
  let configDir: string;
  let dir: string;
  let app: ReturnType<typeof render> | undefined;
  const servers: TestServer[] = [];

  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-outbox-'));
    dir = mkdtempSync(join(tmpdir(), 'mux1-outbox-db-'));
  });
  afterEach(async () => {
    app?.unmount();
    app = undefined;
    for (const s of servers.splice(0)) await s.close().catch(() => {});
    rmSync(configDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A server on `port`, or on a port of its own (helpers/ports.ts) that a test may start it on
   * again: one the kernel hands out may be taken by another worker while the server is down.
   */
  const start = async (port?: string) => {
    const s = await startTestServer({
      dir,
      env: { SMTP_URL: t.mail.url, LOG_LEVEL: 'warn', PORT: port ?? String(await freePort()) },
    });
    servers.push(s);
    return s;
  };
  const open = async (server: string, token: string) => {
    const services = liveServices({
      server,
      userAgent: 'mux1-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir },
    });
    app = render(<App services={services} storedToken={token} />);
    return app;
  };
  const stored = async (s: TestServer, text: string) =>
    Number((await s.server.db('messages').where({ text }).count({ n: '*' }))[0]!.n);
  const fileFor = (s: TestServer, id: number) =>
    liveServices({ server: s.url, userAgent: 'x', env: { ...process.env, MUX1_CONFIG_DIR: configDir } })
      .localFile!('outbox', id);
  const outboxFile = () => {
    const name = readdirSync(configDir).find((f) => f.endsWith('.outbox.json'));
    return name ? join(configDir, name) : undefined;
  };

  it('keeps a line written while the server is down, and sends it once when it is back', async () => {
    const first = await start();
    const port = new URL(first.url).port;
    const me = await loggedInPerson(first.url, t.mail, 'queue');
    const { lastFrame, stdin } = await open(first.url, me.token);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'));
    await first.stop();
    servers.splice(servers.indexOf(first), 1);
    await waitForFrame(lastFrame, (f) => f.includes('● reconnecting'));
    expect(lastFrame()).to.match(/#lobby · reconnecting/);

    await type(stdin, 'written while away');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => /◷ queue\S* written while away/.test(f));
    const file = outboxFile()!;
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(readFileSync(file, 'utf8')).to.include('written while away');

    const second = await start(port);
    await waitForFrame(
      lastFrame,
      (f) => f.includes('● connected') && f.includes('written while away') && !f.includes('◷'),
      20_000,
    );
    expect(await stored(second, 'written while away')).to.equal(1);
    await waitForFrame(
      () => readFileSync(file, 'utf8'),
      (text) => text.trim() === '[]',
    );
  });

  it('keeps unsent lines across a restart of the TUI, and sends them once', async () => {
    const first = await start();
    const port = new URL(first.url).port;
    const me = await loggedInPerson(first.url, t.mail, 'restart');
    let { lastFrame, stdin } = await open(first.url, me.token);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'));
    await first.stop();
    servers.splice(servers.indexOf(first), 1);
    await waitForFrame(lastFrame, (f) => f.includes('● reconnecting'));
    await type(stdin, 'one\r');
    await type(stdin, 'two\r');
    await waitForFrame(lastFrame, (f) => /◷.*one[\s\S]*◷.*two/.test(f));
    app!.unmount();
    app = undefined;

    const second = await start(port);
    ({ lastFrame, stdin } = await open(first.url, me.token));
    await waitForFrame(lastFrame, (f) => /one[\s\S]*two/.test(f) && !f.includes('◷'), 20_000);
    expect(await stored(second, 'one')).to.equal(1);
    expect(await stored(second, 'two')).to.equal(1);
    const texts = (await second.server.db('messages').orderBy('id')).map((m: { text: string }) => m.text);
    expect(texts.slice(-2)).to.deep.equal(['one', 'two']);
  });

  it('offers a message the server refuses for retry or deletion', async () => {
    const s = await start();
    const me = await loggedInPerson(s.url, t.mail, 'refused');
    // What an older TUI left behind: a message this server will not take.
    const { lastFrame: first } = await open(s.url, me.token);
    await waitForFrame(first, (f) => f.includes('● connected'));
    app!.unmount();
    const target = fileFor(s, await userId(s, me.username));
    // A room name this server does not take: it refuses the message, however often it is sent.
    const long = 'a message to a room that cannot be';
    writeFileSync(
      target,
      JSON.stringify([{ client_id: 'c-1', room: 'Bad Room', text: long, queued_at: Date.now() }]),
      {
        mode: 0o600,
      },
    );
    const { lastFrame, stdin } = await open(s.url, me.token);
    await waitForFrame(
      lastFrame,
      (f) => f.includes('not sent to Bad Room') && f.includes('/retry') && f.includes('✗'),
    );
    await type(stdin, '/retry\r');
    await waitForFrame(lastFrame, (f) => f.includes('sending 1 message again'));
    await waitForFrame(lastFrame, (f) => f.split('not sent to Bad Room').length === 3);
    await type(stdin, '/drop\r');
    await waitForFrame(lastFrame, (f) => f.includes('dropped 1 unsent message'));
    expect(await stored(s, long)).to.equal(0);
    await waitForFrame(
      () => readFileSync(target, 'utf8'),
      (text) => text.trim() === '[]',
    );
  });

  it('sets a damaged file aside with a warning instead of failing to start', async () => {
    const s = await start();
    const me = await loggedInPerson(s.url, t.mail, 'damaged');
    const { lastFrame: first } = await open(s.url, me.token);
    await waitForFrame(first, (f) => f.includes('● connected'));
    app!.unmount();
    const target = fileFor(s, await userId(s, me.username));
    writeFileSync(target, '{"not": "a list"', { mode: 0o600 });
    const { lastFrame, stdin } = await open(s.url, me.token);
    await waitForFrame(lastFrame, (f) => f.includes('was damaged') && f.includes('● connected'));
    expect(readdirSync(configDir).some((f) => f.includes('.outbox.json.corrupt-'))).to.equal(true);
    await type(stdin, 'still works\r');
    await waitForFrame(lastFrame, (f) => f.includes('still works') && !f.includes('◷'));
    expect(await stored(s, 'still works')).to.equal(1);
  });

  it('recalls the lines sent in a room after a restart of the TUI, from a private file', async () => {
    const s = await start();
    const me = await loggedInPerson(s.url, t.mail, 'recall');
    let { lastFrame, stdin } = await open(s.url, me.token);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'));
    await type(stdin, 'first line\r');
    await type(stdin, 'second line\r');
    await waitForFrame(lastFrame, (f) => f.includes('second line') && !f.includes('◷'));
    app!.unmount();
    const recallFile = fileFor(s, await userId(s, me.username)).replace(/outbox\.json$/, 'recall.json');
    await waitForFrame(
      () => readFileSync(recallFile, 'utf8'),
      (text) => text.includes('second line'),
    );
    expect(statSync(recallFile).mode & 0o777).to.equal(0o600);

    ({ lastFrame, stdin } = await open(s.url, me.token));
    await waitForFrame(lastFrame, (f) => f.includes('● connected'));
    // The file is read as the screen opens; until then Up has nothing to recall and does nothing.
    for (let i = 0; i < 50 && !/> second line/.test(lastFrame() ?? ''); i++) await press(stdin, keys.up);
    await waitForFrame(lastFrame, (f) => /> second line/.test(f));
    await press(stdin, keys.up);
    await waitForFrame(lastFrame, (f) => /> first line/.test(f));
  });

  it('rings the bell for a message that names the reader, unless MUX1_BELL=0', async () => {
    const s = await start();
    const me = await loggedInPerson(s.url, t.mail, 'bell');
    const other = await loggedInPerson(s.url, t.mail, 'ringer');
    const { lastFrame, frames } = await open(s.url, me.token);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'));
    // The other person writes through their own TUI-less client: the CLI's socket client.
    const { ChatClient } = await import('../../../tui/client/socket.js');
    const friend = new ChatClient({ server: s.url, token: other.token });
    await friend.connect();
    try {
      await friend.send('no name in this one', 'lobby');
      await waitForFrame(lastFrame, (f) => f.includes('no name in this one'));
      expect(frames.some((f) => f.includes('\u0007'))).to.equal(false);
      await friend.send(`hey @${me.username}, look`, 'lobby');
      await waitForFrame(lastFrame, (f) => f.includes('look'));
      expect(frames.some((f) => f.includes('\u0007'))).to.equal(true);
      app!.unmount();

      const quiet = render(
        <App
          services={liveServices({
            server: s.url,
            userAgent: 'mux1-test',
            env: { ...process.env, MUX1_CONFIG_DIR: configDir, MUX1_BELL: '0' },
          })}
          storedToken={me.token}
        />,
      );
      app = quiet;
      await waitForFrame(quiet.lastFrame, (f) => f.includes('● connected'));
      await friend.send(`again @${me.username}`, 'lobby');
      await waitForFrame(quiet.lastFrame, (f) => f.includes('again'));
      expect(quiet.frames.some((f) => f.includes('\u0007'))).to.equal(false);
    } finally {
      friend.close();
    }
  });
});

async function userId(s: TestServer, username: string): Promise<number> {
  const row = await s.server.db('users').where({ username }).first('id');
  return Number(row.id);
}
