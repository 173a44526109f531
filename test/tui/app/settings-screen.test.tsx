import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { bearer } from '../../helpers/accounts.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';

/** The account screen inside the chat: sessions, password change, log out everywhere. */
describe('TUI: settings', function () {
  this.timeout(30_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;

  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(async () => {
    rmSync(configDir, { recursive: true, force: true });
  });

  const openSettings = async (token: string) => {
    const services = liveServices({
      server: t.url,
      userAgent: 'mux1-tui-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir },
    });
    app = render(<App services={services} storedToken={token} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('● connected'));
    await type(app.stdin, '/settings');
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('Sessions') && f.includes('(this session)'));
    return app;
  };

  it('lists the sessions and revokes another one with a key', async () => {
    const me = await t.loggedInPerson('set');
    const other = await t.logIn(me.username, me.password);
    const { lastFrame, stdin } = await openSettings(me.token);
    const frame = await waitForFrame(lastFrame, (f) => (f.match(/last seen/g) ?? []).length === 2);
    const lines = frame.split('\n').filter((l) => l.includes('last seen'));
    const otherIndex = lines.findIndex((l) => !l.includes('(this session)'));
    for (let i = 0; i < otherIndex; i++) await press(stdin, keys.down);
    await press(stdin, 'r');
    await waitForFrame(
      lastFrame,
      (f) => f.includes('Session revoked') && (f.match(/last seen/g) ?? []).length === 1,
    );
    expect((await t.api('GET', '/api/me', undefined, bearer(other.body.token))).status).to.equal(401);
    expect((await t.api('GET', '/api/me', undefined, bearer(me.token))).status).to.equal(200);
    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('#lobby'));
  });

  it('changes the password, keeping this session', async () => {
    const me = await t.loggedInPerson('pw');
    const { lastFrame, stdin } = await openSettings(me.token);
    await press(stdin, 'p');
    await waitForFrame(lastFrame, (f) => f.includes('Change password') && f.includes('Current password'));
    const next = 'a brand new lantern phrase';
    await type(stdin, me.password);
    await press(stdin, keys.tab);
    await type(stdin, next);
    await press(stdin, keys.tab);
    await type(stdin, next);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('Sessions') && /password/i.test(f) && !f.includes('✗'));
    expect((await t.logIn(me.username, me.password)).status).to.equal(401);
    expect((await t.logIn(me.username, next)).status).to.equal(200);
    expect((await t.api('GET', '/api/me', undefined, bearer(me.token))).status).to.equal(200);
  });

  it('says when the current password is wrong', async () => {
    const me = await t.loggedInPerson('pwbad');
    const { lastFrame, stdin } = await openSettings(me.token);
    await press(stdin, 'p');
    await waitForFrame(lastFrame, (f) => f.includes('Current password'));
    await type(stdin, 'not my password at all');
    await press(stdin, keys.tab);
    await type(stdin, 'a brand new lantern phrase');
    await press(stdin, keys.tab);
    await type(stdin, 'a brand new lantern phrase');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('✗'));
  });

  it('deactivates the account with its password: back to the start, every session ended, login reactivates', async () => {
    const me = await t.loggedInPerson('deact');
    const other = await t.logIn(me.username, me.password);
    const { lastFrame, stdin } = await openSettings(me.token);
    await press(stdin, 'd');
    await waitForFrame(lastFrame, (f) => f.includes('Deactivate the account') && f.includes('Password'));
    await type(stdin, 'not my password at all');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('✗'));
    expect((await t.api('GET', '/api/me', undefined, bearer(other.body.token))).status).to.equal(200);
    for (let i = 0; i < 'not my password at all'.length; i++) await press(stdin, keys.backspace);
    await type(stdin, me.password);
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('Account deactivated') && f.includes('Sign up'));
    for (const token of [me.token, other.body.token]) {
      expect((await t.api('GET', '/api/me', undefined, bearer(token))).status).to.equal(401);
    }
    expect((await t.logIn(me.username, me.password)).status).to.equal(200);
  });

  it('logs out everywhere and returns to the start screen', async () => {
    const me = await t.loggedInPerson('all');
    const other = await t.logIn(me.username, me.password);
    const { lastFrame, stdin } = await openSettings(me.token);
    await press(stdin, 'x');
    await waitForFrame(lastFrame, (f) => f.includes('Logged out everywhere.') && f.includes('Sign up'));
    for (const token of [me.token, other.body.token]) {
      expect((await t.api('GET', '/api/me', undefined, bearer(token))).status).to.equal(401);
    }
  });
});
