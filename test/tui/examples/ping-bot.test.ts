import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ChatMessage } from '../../../server/protocol.js';
import { bearer } from '../../helpers/accounts.js';
import { cleanEnv, repoRoot } from '../../helpers/cli.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { ask, chatPerson, connectAs, disconnectAll, type ChatPerson } from '../../helpers/sockets.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { eventually } from '../../helpers/wait.js';

const BOT = join(repoRoot, 'examples', 'ping-bot.mjs');
const ROOM = 'bots';

interface Bot {
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startBot(env: Record<string, string | undefined>): Bot {
  const proc = spawn(process.execPath, [BOT], { cwd: repoRoot, env: cleanEnv(env), stdio: 'pipe' });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

async function tokenFor(t: TestServer, person: ChatPerson, scopes: string[]): Promise<string> {
  const res = await api(t.url, 'POST', '/api/tokens', { name: 'ping-bot', scopes }, bearer(person.token));
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.token;
}

/**
 * examples/ping-bot.mjs as a user runs it: a child process with a token in MUX1_TOKEN. It reaches
 * the server through a TCP relay, so the test decides when it is cut off and when it may come back.
 */
describe('examples/ping-bot.mjs', function () {
  this.timeout(90_000);
  let dir: string;
  let server: TestServer | undefined;
  let proxy: TcpProxy | undefined;
  const bots: Bot[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-bot-'));
    server = await startTestServer({ dir, env: { LOG_LEVEL: 'warn' } });
  });
  afterEach(async () => {
    disconnectAll();
    for (const bot of bots.splice(0)) if (bot.proc.exitCode === null) bot.proc.kill('SIGKILL');
    await proxy?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a ping sent while it was cut off exactly once, after the server restarted', async () => {
    const owner = await chatPerson(server!, 'botowner');
    const alice = await chatPerson(server!, 'botalice');
    const token = await tokenFor(server!, owner, ['chat:read', 'chat:write']);
    proxy = await startTcpProxy(Number(new URL(server!.url).port));
    const bot = startBot({
      MUX1_TOKEN: token,
      MUX1_SERVER: `http://127.0.0.1:${proxy.port}`,
      MUX1_ROOM: ROOM,
    });
    bots.push(bot);
    await eventually(() => bot.output().includes('listening in bots'), {
      what: 'the bot',
      timeoutMs: 10_000,
    });

    // Pongs Alice sees, by the ping they answer: the bot's client_id says which.
    const listen = async () => {
      const socket = await connectAs(server!.url, alice);
      expect((await ask(socket, 'join', { room: ROOM })).ok).to.equal(true);
      const heard: ChatMessage[] = [];
      socket.on('message', (m) => heard.push(m));
      return { socket, heard };
    };
    let { socket, heard } = await listen();
    const pongs = () => heard.filter((m) => m.text === 'pong' && m.user?.id === owner.id);

    const first = await ask(socket, 'message', { room: ROOM, text: '!ping' });
    await eventually(() => pongs().length === 1, { what: 'the live pong', timeoutMs: 15_000 });

    // Cut off: the relay refuses the bot, and the server restarts on the same database.
    proxy.refuse(true);
    proxy.drop();
    await server!.stop();
    await eventually(() => bot.output().includes('disconnected'), {
      what: 'the bot to notice',
      timeoutMs: 15_000,
    });
    server = await startTestServer({ dir, env: { LOG_LEVEL: 'warn' } });
    proxy.retarget(Number(new URL(server.url).port));
    ({ socket, heard } = await listen());
    const missed = await ask(socket, 'message', { room: ROOM, text: '!ping' });
    expect(missed.id).to.be.above(first.id);
    await ask(socket, 'message', { room: ROOM, text: 'not a ping' });

    proxy.refuse(false);
    await eventually(() => pongs().length === 1, { what: 'the pong to the missed ping', timeoutMs: 20_000 });
    // One more ping, live: its pong comes after anything the catch-up could still have sent.
    await ask(socket, 'message', { room: ROOM, text: '!ping' });
    await eventually(() => pongs().length === 2, { what: 'the pong after catching up', timeoutMs: 15_000 });

    const history = await ask(socket, 'history', { room: ROOM, limit: 200 });
    const stored = (history.messages as ChatMessage[]).map((m) => `${m.user?.username}: ${m.text}`);
    expect(stored).to.deep.equal([
      `${alice.username}: !ping`,
      `${owner.username}: pong`,
      `${alice.username}: !ping`,
      `${alice.username}: not a ping`,
      `${owner.username}: pong`,
      `${alice.username}: !ping`,
      `${owner.username}: pong`,
    ]);
    expect(bot.output()).to.include(`pong to ${alice.username} (message ${missed.id})`);
  });

  it('stops with the reason when its token is revoked, or was never given', async () => {
    const owner = await chatPerson(server!, 'botrevoke');
    const token = await tokenFor(server!, owner, ['chat:read', 'chat:write']);
    const bot = startBot({ MUX1_TOKEN: token, MUX1_SERVER: server!.url, MUX1_ROOM: ROOM });
    bots.push(bot);
    await eventually(() => bot.output().includes('listening in bots'), {
      what: 'the bot',
      timeoutMs: 10_000,
    });
    const { tokens } = (await api(server!.url, 'GET', '/api/tokens', undefined, bearer(owner.token))).body;
    const revoked = await api(
      server!.url,
      'DELETE',
      `/api/tokens/${tokens[0].id}`,
      undefined,
      bearer(owner.token),
    );
    expect(revoked.status).to.equal(204);
    expect(await bot.exited).to.equal(1);
    expect(bot.output()).to.include('The server refused MUX1_TOKEN');

    const none = startBot({ MUX1_SERVER: server!.url });
    bots.push(none);
    expect(await none.exited).to.equal(2);
    expect(none.output()).to.include('Set MUX1_TOKEN');
  });

  it('says so when its token cannot read the chat', async () => {
    const owner = await chatPerson(server!, 'botscope');
    const token = await tokenFor(server!, owner, ['chat:write']);
    const bot = startBot({ MUX1_TOKEN: token, MUX1_SERVER: server!.url, MUX1_ROOM: ROOM });
    bots.push(bot);
    expect(await bot.exited).to.equal(1);
    expect(bot.output()).to.include('The bot needs chat:read and chat:write');
  });
});
