import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { manualClock } from '../../../server/clock.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { bearer, loggedInPerson } from '../../helpers/accounts.js';
import { decodeDrawnQr, totpAt } from '../../helpers/two-factor.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';

/** /settings → two-factor sign-in: the QR code, the first code, the backup codes; then login asks for a code. */
describe('TUI: two-factor sign-in', function () {
  this.timeout(40_000);
  let smtp: TestSmtp;
  let t: TestServer;
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const clock = manualClock(Date.now());

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'warn' }, overrides: { clock } });
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-2fa-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(async () => {
    await t.close();
    await smtp.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  const services = () =>
    liveServices({
      server: t.url,
      userAgent: 'mux1-tui-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir },
    });

  it('turns it on from /settings with a QR code that decodes to the setup URI', async () => {
    const me = await loggedInPerson(t.url, smtp, 'tui2fa');
    app = render(<App services={services()} storedToken={me.token} />);
    const { lastFrame, stdin } = app;
    await waitForFrame(lastFrame, (f) => f.includes('● connected'));
    await type(stdin, '/settings');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('two-factor sign-in'));
    await press(stdin, 't');
    await waitForFrame(lastFrame, (f) => f.includes('Off: your password alone logs in.'));
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('Turn on two-factor sign-in'));
    await type(stdin, 'not my password');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('wrong password'));
    for (let i = 0; i < 'not my password'.length; i++) await press(stdin, keys.backspace);
    await type(stdin, me.password);
    await press(stdin, keys.enter);
    const frame = await waitForFrame(lastFrame, (f) => f.includes('Scan the code with your app'));

    // The drawing's top row is its width (its light margin); the text stands beside it, and a
    // camera sees the drawing alone.
    const width = /^[█▀▄ ]*█/.exec(frame)![0].length;
    const drawing = frame
      .split('\n')
      .map((l) => [...l].slice(0, width).join(''))
      .join('\n');
    const uri = decodeDrawnQr(drawing);
    expect(uri).to.match(/^otpauth:\/\/totp\/mux1:tui2fa\d+\?/);
    const secret = new URL(uri!).searchParams.get('secret')!;
    // The secret typed by hand reads the same, in groups of four.
    const beside = frame
      .split('\n')
      .map((l) => [...l].slice(width).join(''))
      .join('');
    expect(beside.replace(/\s+/g, '')).to.include(secret);
    expect(frame.split('\n').length).to.be.at.most(24);

    await type(stdin, '12345');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('enter the 6 digits'));
    for (let i = 0; i < 5; i++) await press(stdin, keys.backspace);
    await type(stdin, totpAt(secret, clock.now()));
    await press(stdin, keys.enter);
    const codes = await waitForFrame(lastFrame, (f) => f.includes('I saved them'));
    const backup = codes.match(/[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}/g) ?? [];
    expect(backup).to.have.length(10);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('Two-factor sign-in is on.'));
    expect((await api(t.url, 'GET', '/api/me', undefined, bearer(me.token))).body.user.two_factor).to.equal(
      true,
    );
    app.unmount();

    // Logging in again: the password, then the code - or, chosen with a button, a backup code.
    app = render(<App services={services()} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Log in (l)'));
    await press(app.stdin, 'l');
    await waitForFrame(app.lastFrame, (f) => f.includes('Username or email'));
    await type(app.stdin, me.username);
    await press(app.stdin, keys.tab);
    await type(app.stdin, me.password);
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('Code from your app'));
    await press(app.stdin, keys.tab);
    await press(app.stdin, keys.tab);
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('Backup code'));
    await type(app.stdin, backup[0]!.toUpperCase());
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('● connected'), 10_000);
  });
});
