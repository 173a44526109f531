import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { io, type Socket } from 'socket.io-client';
import { freePort } from '../helpers/ports.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { repoRoot } from '../helpers/cli.js';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';

/** Debian's python3-socketio installs for the system Python, not for whichever python3 is on PATH. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(repoRoot, 'test/system/fixtures/python_client.py');

interface Report {
  event: string;
  [key: string]: any;
}

/** The script's JSON lines, one at a time, in order. */
function reports(child: ChildProcess) {
  const seen: Report[] = [];
  const waiting: { event: string; resolve(r: Report): void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let report: Report;
    try {
      report = JSON.parse(line) as Report;
    } catch {
      report = { event: 'output', line };
    }
    seen.push(report);
    const i = waiting.findIndex((w) => w.event === report.event || report.event === 'failed');
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(report);
  });
  return {
    seen,
    stderr: () => stderr,
    next(event: string, timeoutMs = 30_000): Promise<Report> {
      const done = seen.find((r) => (r.event === event || r.event === 'failed') && !(r as any).taken);
      if (done) {
        (done as any).taken = true;
        return done.event === 'failed' ? Promise.reject(new Error(done.error)) : Promise.resolve(done);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the python client reported no '${event}' in ${timeoutMs} ms\n${stderr}`)),
          timeoutMs,
        );
        waiting.push({
          event,
          resolve: (r) => {
            clearTimeout(timer);
            (r as any).taken = true;
            if (r.event === 'failed') reject(new Error(`the python client failed: ${r.error}\n${stderr}`));
            else resolve(r);
          },
        });
      });
    },
  };
}

async function json(method: string, url: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as any };
}

/** A verified account, its code read from the development mailbox in the server's output. */
async function account(server: CliServer, username: string) {
  const email = `${username}@example.com`;
  const password = `${username} walks to the lighthouse`;
  expect((await json('POST', `${server.url}/api/signup`, { username, email, password })).status).to.equal(
    201,
  );
  const [, code] = await server.waitForLine(
    new RegExp(`${username}@example\\.com.*verification code(?::| is) (\\d{6})`),
  );
  expect((await json('POST', `${server.url}/api/verify-email`, { email, code })).status).to.equal(200);
  const login = await json('POST', `${server.url}/api/login`, { username, password });
  expect(login.status).to.equal(200);
  return { username, password, token: login.body.token as string };
}

/** A Node participant on socket.io-client, straight to the server (not through the proxy). */
async function participant(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connected', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

async function say(socket: Socket, room: string, text: string): Promise<number> {
  const ack = await socket.timeout(5000).emitWithAck('message', { room, text });
  expect(ack.ok, JSON.stringify(ack)).to.equal(true);
  return ack.id as number;
}

/**
 * The chat from a client nobody here wrote: python-socketio as Debian ships it, whose handlers
 * take exactly one argument. It signs in with a REST token and with a password, sends (once,
 * however often it resends a client_id), receives, reads history, and after its connection is
 * cut - once by the network, once by a server restart - reconnects by itself and catches up with
 * `history` `after`, seeing every message it missed exactly once.
 */
describe('system: a python-socketio client', function () {
  this.timeout(180_000);
  let dir: string;
  let port: number;
  let server: CliServer | undefined;
  let proxy: TcpProxy | undefined;
  let python: ChildProcess | undefined;
  const sockets: Socket[] = [];

  before(function () {
    const probe = spawnSync(PYTHON, ['-c', 'import socketio, websocket'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      throw new Error(
        `${PYTHON} cannot import socketio and websocket (${probe.stderr.trim()}); ` +
          '.ci/run installs python3-socketio and python3-websocket',
      );
    }
  });
  after(async () => {
    python?.kill('SIGKILL');
    for (const s of sockets) s.disconnect();
    await proxy?.close();
    await server?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, chats, reconnects and catches up with history after, every handler taking one argument', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-python-'));
    port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: join(dir, 'mux1.sqlite') };
    server = await startCliServer(env);
    proxy = await startTcpProxy(port);
    const py = await account(server, 'pyclient');
    const friend = await account(server, 'nodefriend');
    let mate = await participant(server.url, friend.token);
    sockets.push(mate);
    await mate.timeout(5000).emitWithAck('join', { room: 'py' });
    await say(mate, 'py', 'said before python came');

    python = spawn(PYTHON, [SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        MUX1_URL: `http://127.0.0.1:${proxy.port}`,
        MUX1_USERNAME: py.username,
        MUX1_PASSWORD: py.password,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => python!.once('exit', (code) => resolve(code)));
    const script = reports(python);

    expect((await script.next('connected')).user.username).to.equal(py.username);
    const sent = await script.next('sent');
    expect(sent.resent_id).to.equal(sent.id);
    await script.next('authenticated');

    // The network cuts the connection; messages are said while the client cannot get back.
    const dropReady = await script.next('ready');
    expect(dropReady.phase).to.equal('drop');
    proxy.refuse(true);
    proxy.drop();
    await script.next('disconnected');
    const missedOnDrop = [
      await say(mate, 'lobby', 'missed in the lobby'),
      await say(mate, 'py', 'missed 1'),
      await say(mate, 'py', 'missed 2'),
    ];
    proxy.refuse(false);
    const afterDrop = await script.next('caught_up');
    expect(afterDrop.ids).to.deep.equal(missedOnDrop);

    // The server restarts on the same database; more is said before the client is back.
    const restartReady = await script.next('ready');
    expect(restartReady.phase).to.equal('restart');
    proxy.refuse(true);
    mate.disconnect();
    expect(await server.stop('SIGTERM'), server.output()).to.equal(0);
    await script.next('disconnected');
    await server.cleanup();
    server = await startCliServer(env);
    mate = await participant(server.url, friend.token);
    sockets.push(mate);
    await mate.timeout(5000).emitWithAck('join', { room: 'py' });
    const missedOnRestart = [await say(mate, 'py', 'missed across the restart')];
    proxy.refuse(false);
    const afterRestart = await script.next('caught_up');
    expect(afterRestart.ids).to.deep.equal(missedOnRestart);

    await script.next('waiting_live');
    const live = await say(mate, 'py', 'live at the end');
    const done = await script.next('done');
    expect(await exited, script.stderr()).to.equal(0);
    expect(script.stderr()).to.not.match(/Traceback|TypeError/);

    // Everything it was handed, in order and once: its own message live, what it missed from
    // history, nothing from before it joined, nothing twice.
    const received = (done.received as [string, number, string, string][]).map(([how, id, room, text]) => ({
      how,
      id,
      room,
      text,
    }));
    const ids = received.map((m) => m.id);
    expect(new Set(ids).size, JSON.stringify(received)).to.equal(ids.length);
    expect(received.map((m) => m.text)).to.not.include('said before python came');
    const how = (id: number) => received.filter((m) => m.id === id).map((m) => m.how);
    expect(how(sent.id)).to.deep.equal(['live']);
    for (const id of [...missedOnDrop, ...missedOnRestart]) expect(how(id)).to.deep.equal(['history']);
    expect(how(live)).to.deep.equal(['live']);
    expect(received.filter((m) => m.text === 'hello from python')).to.have.length(1);
  });
});
