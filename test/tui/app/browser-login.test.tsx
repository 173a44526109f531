import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { credentialsPath } from '../../../tui/client/credentials.js';
import { manualClock } from '../../../server/clock.js';
import { MANY_SIGNUPS } from '../../helpers/fixture.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { chatPerson } from '../../helpers/sockets.js';
import { api } from '../../helpers/server.js';
import { bearer } from '../../helpers/accounts.js';
import { decodeDrawnQr } from '../../helpers/two-factor.js';
import { USER_CODE } from '../../helpers/device-login.js';
import { keys, press, waitForFrame } from '../../helpers/ink-keys.js';

/**
 * The start menu's "Log in with a browser" against a real server whose clock the polls move: the
 * wait between polls advances the server's clock by the interval instead of sleeping it.
 */
describe('TUI: log in with a browser (device login)', function () {
  this.timeout(40_000);
  let t: TestServer;
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const clock = manualClock(Date.now());
  const env = () => ({ ...process.env, MUX1_CONFIG_DIR: configDir, CI: 'true' });

  before(async () => {
    t = await startTestServer({ env: { ...MANY_SIGNUPS, LOG_LEVEL: 'warn' }, overrides: { clock } });
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-device-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(async () => {
    await t.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  const open = () => {
    const services = {
      ...liveServices({ server: t.url, userAgent: 'mux1-tui-test', env: env() }),
      deviceWait: async (ms: number) => {
        clock.advance(ms);
        await new Promise((r) => setTimeout(r, 30));
      },
    };
    app = render(<App services={services} />);
    return app;
  };

  it('shows the code, the page and a QR that fits; approved, it lands in the chat and saves the session', async () => {
    const p = await chatPerson(t, 'tuiweb');
    const { lastFrame, stdin } = open();
    await waitForFrame(lastFrame, (f) => f.includes('Log in with a browser (b)'));
    await press(stdin, 'b');
    const shown = await waitForFrame(
      lastFrame,
      (f) => USER_CODE.test(f) && f.includes('Waiting for the approval'),
    );
    const userCode = USER_CODE.exec(shown)![1]!;
    expect(shown).to.include(`${t.url}/device`);
    // The testing terminal is 100 columns: the code fits beside the text, and reads right.
    expect(decodeDrawnQr(shown)).to.equal(`${t.url}/device?code=${userCode}`);
    const ok = await api(
      t.url,
      'POST',
      '/api/device/approve',
      { user_code: userCode, approve: true },
      bearer(p.token),
    );
    expect(ok.status).to.equal(200);
    await waitForFrame(lastFrame, (f) => f.includes('#lobby'));
    const saved = readFileSync(credentialsPath(t.url, env()), 'utf8');
    expect(saved).to.include(p.username);
  });

  it('denied: says so; Enter asks for a new code, Esc goes back to the menu', async () => {
    const p = await chatPerson(t, 'tuiwebno');
    const { lastFrame, stdin } = open();
    await waitForFrame(lastFrame, (f) => f.includes('Log in with a browser (b)'));
    await press(stdin, 'b');
    const shown = await waitForFrame(lastFrame, (f) => USER_CODE.test(f));
    const first = USER_CODE.exec(shown)![1]!;
    await api(t.url, 'POST', '/api/device/approve', { user_code: first, approve: false }, bearer(p.token));
    await waitForFrame(lastFrame, (f) => f.includes('denied in the browser'));
    await press(stdin, keys.enter);
    const again = await waitForFrame(lastFrame, (f) => USER_CODE.test(f) && !f.includes(first));
    expect(USER_CODE.exec(again)![1]).to.not.equal(first);
    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('Sign up (s)'));
  });
});
