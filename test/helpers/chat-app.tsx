import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { io, type Socket } from 'socket.io-client';
import { App } from '../../tui/app/App.js';
import { liveServices } from '../../tui/app/services.js';
import { waitForFrame } from './ink-keys.js';
import { useServer } from './fixture.js';

/**
 * The whole TUI against a real server, for tests of the chat: the suite's server (with mail), the
 * app rendered with a stored session and a config folder of its own, and other people's sockets.
 * After each test the app is unmounted and the sockets closed, so a test never hears the last one.
 */
export function useChatApp(name: string) {
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });
  let configDir = '';
  let app: ReturnType<typeof render> | undefined;
  const sockets: Socket[] = [];

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), `mux1-tui-${name}-`));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
    sockets.splice(0).forEach((s) => s.disconnect());
  });
  after(() => rmSync(configDir, { recursive: true, force: true }));

  /** The app as `mux1` starts with a stored login, drawing as soon as it is mounted. */
  const start = (token: string) => {
    const services = liveServices({
      server: t.url,
      userAgent: 'mux1-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir, MUX1_BELL: '0' },
    });
    app = render(<App services={services} storedToken={token} />);
    return app;
  };

  /** The app started and in the chat: the lobby shown and the connection up. */
  const openChat = async (token: string) => {
    const started = start(token);
    await waitForFrame(started.lastFrame, (f) => f.includes('#lobby') && f.includes('● connected'));
    return started;
  };

  /** Someone else's socket, closed after the test; not waited for. */
  const socketOf = (token: string) => {
    const socket = io(t.url, { auth: { token }, transports: ['websocket'] });
    sockets.push(socket);
    return socket;
  };

  /** Someone else's socket once the server has greeted it. */
  const connected = async (token: string) => {
    const socket = socketOf(token);
    await new Promise<void>((resolve) => socket.once('connected', () => resolve()));
    return socket;
  };

  return { t, start, openChat, socketOf, connected };
}
