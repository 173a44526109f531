import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { manualClock } from '../../../server/clock.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { loggedInPerson, type Person } from '../../helpers/accounts.js';
import { totpAt, turnOn } from '../../helpers/two-factor.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';

/** The login form's second step: choosing a backup code, and a step that ended. */
describe('TUI: the code step of logging in', function () {
  this.timeout(40_000);
  let smtp: TestSmtp;
  let t: TestServer;
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const clock = manualClock(Date.now());

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'warn' }, overrides: { clock } });
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-2fa-step-'));
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

  /** A person with two-factor sign-in on; the clock is moved past the code that turned it on. */
  async function twoFactorPerson(prefix: string) {
    const p = await loggedInPerson(t.url, smtp, prefix);
    const on = await turnOn(t.url, p, clock.now());
    clock.advance(60_000);
    return { ...p, ...on };
  }

  /** The app at the code step for `p`. */
  async function atCodeStep(p: Person) {
    app = render(<App services={services()} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Log in (l)'));
    await press(app.stdin, 'l');
    await waitForFrame(app.lastFrame, (f) => f.includes('Username or email'));
    await type(app.stdin, p.username);
    await press(app.stdin, keys.tab);
    await type(app.stdin, p.password);
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('Code from your app'));
    return app;
  }

  /** Six digits no app shows for `secret` now (nor a step either side). */
  function wrongCode(secret: string): string {
    const right = [-30_000, 0, 30_000].map((d) => totpAt(secret, clock.now() + d));
    return ['000000', '111111', '222222', '333333'].find((c) => !right.includes(c))!;
  }

  it('"Use a backup code" puts the cursor in the backup code field', async () => {
    const p = await twoFactorPerson('stepbackup');
    const { stdin, lastFrame } = await atCodeStep(p);
    await press(stdin, keys.tab);
    await press(stdin, keys.tab);
    await press(stdin, keys.enter);
    const frame = await waitForFrame(lastFrame, (f) => f.includes('Backup code'));
    expect(frame).to.match(/› Backup code/);
    // Typed at once, with no key to move back to the field.
    await type(stdin, p.backupCodes[0]!);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'), 10_000);
  });

  it('and "Use the app instead" puts it back in the app code field', async () => {
    const p = await twoFactorPerson('stepapp');
    const { stdin, lastFrame } = await atCodeStep(p);
    for (const k of [keys.tab, keys.tab, keys.enter]) await press(stdin, k);
    await waitForFrame(lastFrame, (f) => f.includes('Use the app instead'));
    for (const k of [keys.tab, keys.tab, keys.enter]) await press(stdin, k);
    const frame = await waitForFrame(lastFrame, (f) => f.includes('Code from your app'));
    expect(frame).to.match(/› Code from your app/);
    await type(stdin, totpAt(p.secret, clock.now()));
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'), 10_000);
  });

  it('a step past its 5 minutes goes back to the password saying so, the username kept', async () => {
    const p = await twoFactorPerson('stepslow');
    const { stdin, lastFrame } = await atCodeStep(p);
    clock.advance(5 * 60_000 + 1000);
    await type(stdin, totpAt(p.secret, clock.now()));
    await press(stdin, keys.enter);
    const frame = await waitForFrame(lastFrame, (f) => f.includes('Username or email'));
    // The sentence may wrap.
    expect(frame.replace(/\s+/g, ' ')).to.include(
      'This sign-in expired: the code must come within 5 minutes of the password.',
    );
    expect(frame).to.include(p.username);
    // The password field has the cursor: the password alone starts a new step.
    await type(stdin, p.password);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('Code from your app'));
    expect(lastFrame()).not.to.include('expired');
    clock.advance(30_000);
    await type(stdin, totpAt(p.secret, clock.now()));
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'), 10_000);
  });

  it('the fifth wrong code goes back to the password saying it ended the step', async () => {
    const p = await twoFactorPerson('stepwrong');
    const { stdin, lastFrame } = await atCodeStep(p);
    const wrong = wrongCode(p.secret);
    for (let i = 1; i <= 4; i++) {
      await type(stdin, wrong);
      await press(stdin, keys.enter);
      await waitForFrame(lastFrame, (f) => f.includes('the code is wrong'));
      expect(lastFrame()).to.include('Code from your app');
      for (let j = 0; j < 6; j++) await press(stdin, keys.backspace);
    }
    await type(stdin, wrong);
    await press(stdin, keys.enter);
    const frame = await waitForFrame(lastFrame, (f) => f.includes('Username or email'));
    expect(frame.replace(/\s+/g, ' ')).to.include('That was 5 wrong codes, which ends this sign-in.');
  });
});
