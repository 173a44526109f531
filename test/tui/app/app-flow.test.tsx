import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { newPerson } from '../../helpers/accounts.js';
import { keys, press, tick, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';

/** The Ink app against a real server and real mail: what a person sees at each step. */
describe('TUI: account screens', function () {
  this.timeout(30_000);
  let configDir: string;
  const env = () => ({ ...process.env, MUX1_CONFIG_DIR: configDir });
  let app: ReturnType<typeof render> | undefined;

  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
    rmSync(configDir, { recursive: true, force: true });
  });

  const open = (storedToken?: string) => {
    app = render(
      <App
        services={liveServices({ server: t.url, userAgent: 'mux1-test', env: env() })}
        storedToken={storedToken}
      />,
    );
    return app;
  };

  it('shows the start menu and moves with arrows and shortcuts', async () => {
    const { lastFrame, stdin } = open();
    await waitForFrame(
      lastFrame,
      (f) => f.includes('Log in') && f.includes('Sign up') && f.includes('Verify email'),
    );
    expect(lastFrame()).to.match(/› Log in/);
    await press(stdin, keys.down);
    await waitForFrame(lastFrame, (f) => /› Log in with a browser/.test(f));
    await press(stdin, keys.down);
    await waitForFrame(lastFrame, (f) => /› Sign up/.test(f));
    await press(stdin, keys.enter);
    await waitForFrame(
      lastFrame,
      (f) => f.includes('Username') && f.includes('Email') && f.includes('[ Sign up ]'),
    );
    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('Verify email') && f.includes('Quit'));
    await press(stdin, 'v');
    await waitForFrame(lastFrame, (f) => f.includes('Verify your email') && f.includes('[ Resend code ]'));
  });

  it('signs up, verifies with the mailed code, logs in and lands in the chat', async () => {
    const me = newPerson('tui');
    const { lastFrame, stdin } = open();
    await waitForFrame(lastFrame, (f) => f.includes('Sign up'));
    await press(stdin, 's');
    await waitForFrame(lastFrame, (f) => f.includes('[ Sign up ]'));
    await type(stdin, me.username);
    await press(stdin, keys.tab);
    await type(stdin, me.email);
    await press(stdin, keys.tab);
    await type(stdin, me.password);
    const masked = await waitForFrame(lastFrame, (f) => f.includes('•'.repeat(me.password.length)));
    expect(masked).not.to.include(me.password);
    await press(stdin, keys.tab);
    await type(stdin, me.password);
    await press(stdin, keys.enter);

    const verify = await waitForFrame(
      lastFrame,
      (f) => f.includes('Verify your email') && f.includes('Account created'),
    );
    expect(verify).to.include(me.email);
    const code = await t.mail.codeFor(me.email);
    await type(stdin, code);
    await press(stdin, keys.enter);

    await waitForFrame(lastFrame, (f) => f.includes('Email verified') && f.includes('[ Log in ]'));
    await type(stdin, me.username);
    await press(stdin, keys.enter);
    await type(stdin, me.password);
    await press(stdin, keys.enter);
    const chat = await waitForFrame(lastFrame, (f) => f.includes('#lobby') && f.includes('● connected'));
    expect(chat).to.include(`${me.username}@127.0.0.1`);

    const files = readdirSync(configDir);
    expect(files, 'a credential file').to.have.length(1);
    expect(readFileSync(join(configDir, files[0]!), 'utf8')).not.to.include(me.password);
  });

  /** Fills the signup form and returns the frame once `error` shows, checking it sits under `label`. */
  const signupError = async (typed: string[], error: string, label: string) => {
    const { lastFrame, stdin } = open();
    await waitForFrame(lastFrame, (f) => f.includes('Sign up'));
    await press(stdin, 's');
    // The hints come from the same limits the server applies.
    await waitForFrame(lastFrame, (f) => f.includes('[ Sign up ]') && f.includes('3-32 of a-z 0-9 _ . -'));
    for (const [i, value] of typed.entries()) {
      if (i > 0) await press(stdin, keys.tab);
      await type(stdin, value);
    }
    await press(stdin, keys.enter);
    const frame = await waitForFrame(lastFrame, (f) => f.includes(error));
    const lines = frame.split('\n');
    expect(lines[lines.findIndex((l) => l.includes(error)) - 1], `under ${label}`).to.include(label);
    return { lastFrame, stdin };
  };

  it('shows server errors beside the field they concern', async () => {
    const taken = await t.verifiedPerson('taken');
    await signupError(
      [
        taken.username,
        'someone-else@example.test',
        'a perfectly fine passphrase',
        'a perfectly fine passphrase',
      ],
      'that username is taken',
      'Username',
    );
  });

  it('checks the fields with the shared rules before sending', async () => {
    await signupError(
      ['No Spaces', 'someone@example.test', 'short', 'short'],
      'username must be 3-32',
      'Username',
    );
    app?.unmount();
    await signupError(
      ['fine_name', 'someone@example', 'long enough', 'long enough'],
      'email must be a valid',
      'Email',
    );
    app?.unmount();
    await signupError(
      ['fine_name', 'someone@example.test', 'long enough', 'long enuogh'],
      'the two passwords differ',
      'Password again',
    );
    app?.unmount();
    // Every field at fault is named at once, each under its own field.
    const all = await signupError(
      ['No Spaces', 'someone@example', 'short', 'shrot'],
      'username must be 3-32',
      'Username',
    );
    const frame = all.lastFrame()!;
    for (const [error, label] of [
      ['email must be a valid', 'Email'],
      ['password must be 8-128 characters', 'Password'],
      ['the two passwords differ', 'Password again'],
    ]) {
      const lines = frame.split('\n');
      expect(lines[lines.findIndex((l) => l.includes(error!)) - 1], `${error} under ${label}`).to.include(
        label,
      );
    }
    app?.unmount();
    const { lastFrame, stdin } = await signupError(
      ['fine_name', 'someone@example.test', 'short', 'short'],
      'password must be 8-128 characters',
      'Password',
    );

    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('Verify email'));
    await press(stdin, 'v');
    await waitForFrame(lastFrame, (f) => f.includes('[ Resend code ]'));
    await type(stdin, 'someone@example.test');
    await press(stdin, keys.tab);
    await waitForFrame(lastFrame, (f) => f.includes('6 digits from the mail'));
    await type(stdin, '12 3');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('code must be 6 digits'));
    expect(
      t.mail.messages.filter((m) => m.to === 'someone@example.test'),
      'nothing was sent',
    ).to.deep.equal([]);
  });

  it('says when the password is wrong, and that a new account logs in once verified', async () => {
    const { lastFrame, stdin } = open();
    await waitForFrame(lastFrame, (f) => f.includes('Log in'));
    await press(stdin, 'l');
    await waitForFrame(lastFrame, (f) => f.includes('[ Log in ]'));
    await type(stdin, 'nobody-here');
    await press(stdin, keys.enter);
    await type(stdin, 'not the password');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('wrong username or password'));

    const pending = newPerson('pending');
    expect((await t.signUp(pending)).status).to.equal(201);
    await press(stdin, keys.shiftTab);
    for (let i = 0; i < 20; i++) await press(stdin, keys.backspace);
    await type(stdin, pending.email);
    await press(stdin, keys.enter);
    for (let i = 0; i < 20; i++) await press(stdin, keys.backspace);
    await type(stdin, pending.password);
    await press(stdin, keys.enter);
    // The server answers an unverified account like a wrong password (so a login cannot tell
    // whether an address has an account); its sentence says what a new account is waiting for.
    await press(stdin, keys.enter);
    const refused = await waitForFrame(lastFrame, (f) => f.includes('once its email is verified'));
    expect(refused).to.include(pending.email);
  });

  it('says so in the chat when the session cannot be saved', async () => {
    const p = await t.verifiedPerson('unsaved');
    // A credential folder that cannot be made: its parent is a file.
    configDir = join(configDir, 'not-a-folder');
    writeFileSync(configDir, '');
    const { lastFrame, stdin } = open();
    await waitForFrame(lastFrame, (f) => f.includes('Log in'));
    await press(stdin, 'l');
    await waitForFrame(lastFrame, (f) => f.includes('[ Log in ]'));
    await type(stdin, p.username);
    await press(stdin, keys.tab);
    await type(stdin, p.password);
    await press(stdin, keys.enter);
    const chat = await waitForFrame(lastFrame, (f) => f.includes('#lobby') && f.includes('not saved'));
    expect(chat).to.match(/✗ the session was not saved \(.*\); you will have to log in again next time/s);
    configDir = dirname(configDir);
  });

  it('goes straight to the chat with stored credentials that still work', async () => {
    const p = await t.loggedInPerson('stored');
    const { lastFrame } = open(p.token);
    await waitForFrame(lastFrame, (f) => f.includes('#lobby') && f.includes(`${p.username}@`));
  });

  it('asks to log in again when the stored token was revoked', async () => {
    const p = await t.loggedInPerson('revoked');
    await fetch(t.url + '/api/logout', { method: 'POST', headers: { authorization: `Bearer ${p.token}` } });
    const { lastFrame } = open(p.token);
    await waitForFrame(lastFrame, (f) => f.includes('Your session ended; log in again.'));
    await tick();
  });
});
