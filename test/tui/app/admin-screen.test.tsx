import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';

/*
 * The admin screen against a real server: opened with /admin in the chat or from /settings, the
 * accounts searched by prefix and paged, an account's details, and disable, enable and a role
 * change, each only after y. A non-admin gets the server's refusal, said plainly.
 */
describe('TUI: the admin screen', function () {
  this.timeout(60_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  let adminToken: string;

  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-admin-'));
    const admin = await t.loggedInPerson('tuiadmin');
    await t.db('users').where({ username: admin.username }).update({ role: 'admin' });
    adminToken = admin.token;
    // Enough accounts for more than one page (24 rows: 17 a page), made straight in the database.
    const now = Date.now();
    await t.db('users').insert(
      Array.from({ length: 24 }, (_, i) => ({
        username: `bulk${String(i).padStart(2, '0')}`,
        email: `bulk${i}@example.test`,
        password_hash: 'x',
        created_at: now + i,
        email_verified_at: now + i,
      })),
    );
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(() => rmSync(configDir, { recursive: true, force: true }));

  const openChat = async (token: string) => {
    const services = liveServices({
      server: t.url,
      userAgent: 'mux1-tui-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir },
    });
    app = render(<App services={services} storedToken={token} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('● connected'));
    return app;
  };
  const openAdmin = async (token: string) => {
    const { lastFrame, stdin } = await openChat(token);
    await type(stdin, '/admin');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('Administration · accounts') && !f.includes('Loading'));
    return app!;
  };
  const roleOf = async (username: string) => (await t.db('users').where({ username }).first()).role;

  it('/admin lists accounts newest first and pages with PgDn and PgUp', async () => {
    const { lastFrame, stdin } = await openAdmin(adminToken);
    const first = await waitForFrame(lastFrame, (f) => f.includes('bulk23'));
    expect(first.indexOf('bulk23')).to.be.below(first.indexOf('bulk22'));
    expect(first).to.include('PgDn more');
    expect(first).not.to.include('bulk00');
    await press(stdin, keys.pageDown);
    const second = await waitForFrame(lastFrame, (f) => f.includes('page 2') && f.includes('tuiadmin'));
    expect(second).not.to.include('bulk23');
    expect(second).to.include('tuiadmin');
    await press(stdin, keys.pageUp);
    await waitForFrame(lastFrame, (f) => f.includes('bulk23') && !f.includes('page 2'));
  });

  it('typing searches by prefix; wildcards are literal', async () => {
    const { lastFrame, stdin } = await openAdmin(adminToken);
    await type(stdin, 'BULK1');
    const found = await waitForFrame(lastFrame, (f) => f.includes('bulk19') && !f.includes('bulk23'));
    expect(found.match(/bulk1\d /g)).to.have.length(10);
    for (let i = 0; i < 5; i++) await press(stdin, keys.backspace);
    await type(stdin, '%');
    await waitForFrame(lastFrame, (f) => f.includes('No account matches.'));
  });

  it('details of an account; disable, enable and a role change each ask first', async () => {
    const { lastFrame, stdin } = await openAdmin(adminToken);
    await type(stdin, 'bulk05');
    await waitForFrame(lastFrame, (f) => f.includes('› bulk05') && !f.includes('bulk06'));
    await press(stdin, keys.enter);
    const detail = await waitForFrame(lastFrame, (f) => f.includes('<bulk5@example.test>'));
    expect(detail).to.match(/user · active · 2FA off · last login never/);
    expect(detail).to.include('Sessions 0');

    await press(stdin, 'd');
    await waitForFrame(lastFrame, (f) => f.includes('Disable bulk05'));
    await press(stdin, 'n');
    await waitForFrame(lastFrame, (f) => !f.includes('Disable bulk05'));
    expect((await t.db('users').where({ username: 'bulk05' }).first()).disabled_at).to.equal(null);

    await press(stdin, 'd');
    await waitForFrame(lastFrame, (f) => f.includes('Disable bulk05'));
    await press(stdin, 'y');
    await waitForFrame(lastFrame, (f) => f.includes('is disabled') && f.includes('e enable'));
    expect((await t.db('users').where({ username: 'bulk05' }).first()).disabled_at).to.not.equal(null);

    await press(stdin, 'e');
    await waitForFrame(lastFrame, (f) => f.includes('Enable bulk05'));
    await press(stdin, 'y');
    await waitForFrame(lastFrame, (f) => f.includes('is enabled') && f.includes('d disable'));
    expect((await t.db('users').where({ username: 'bulk05' }).first()).disabled_at).to.equal(null);

    await press(stdin, 'r');
    await waitForFrame(lastFrame, (f) => f.includes('u user · m moderator · a admin'));
    await press(stdin, 'm');
    await waitForFrame(lastFrame, (f) => f.includes('Make bulk05'));
    await press(stdin, 'y');
    await waitForFrame(lastFrame, (f) => f.includes('is now moderator'));
    expect(await roleOf('bulk05')).to.equal('moderator');

    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('Administration · accounts'));
    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('● connected'));
  });

  it('the server refusal is shown: the last admin cannot demote themselves', async () => {
    const { lastFrame, stdin } = await openAdmin(adminToken);
    await type(stdin, 'tuiadmin');
    await waitForFrame(lastFrame, (f) => f.includes('› tuiadmin') && !f.includes('bulk'));
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('d disable'));
    await press(stdin, 'r');
    await press(stdin, 'u');
    await press(stdin, 'y');
    await waitForFrame(lastFrame, (f) => f.includes('✗') && /admin/.test(f));
    expect(
      await roleOf((await t.db('users').where('username', 'like', 'tuiadmin%').first()).username),
    ).to.equal('admin');
  });

  it('from /settings with a; a non-admin is told the screen is for admins', async () => {
    const plain = await t.loggedInPerson('tuiplain');
    const { lastFrame, stdin } = await openChat(plain.token);
    await type(stdin, '/settings');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes('administration (admins)'));
    await press(stdin, 'a');
    await waitForFrame(lastFrame, (f) => f.includes('your account is not an admin'));
    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('(this session)'));
  });
});
