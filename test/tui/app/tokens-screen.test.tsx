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

/** Ctrl+U: erases the field's prefilled text. */
const CLEAR_LINE = '\u0015';

/** Personal access tokens in /settings: listed, created and shown once, revoked after a question. */
describe('TUI: access tokens in settings', function () {
  this.timeout(30_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;

  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(() => rmSync(configDir, { recursive: true, force: true }));

  const openTokens = async (token: string) => {
    const services = liveServices({
      server: t.url,
      userAgent: 'mux1-tui-test',
      env: { ...process.env, MUX1_CONFIG_DIR: configDir },
    });
    app = render(<App services={services} storedToken={token} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('● connected'));
    await type(app.stdin, '/settings');
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('k access tokens'));
    await press(app.stdin, 'k');
    await waitForFrame(app.lastFrame, (f) => f.includes('Personal access tokens') && !f.includes('Loading'));
    return app;
  };

  /** Fills the form's three fields from the top and submits it. */
  const fill = async (stdin: { write(s: string): void }, name: string, scopes: string, days: string) => {
    await type(stdin, name);
    await press(stdin, keys.tab);
    await press(stdin, CLEAR_LINE);
    await type(stdin, scopes);
    await press(stdin, keys.tab);
    await press(stdin, CLEAR_LINE);
    await type(stdin, days);
    await press(stdin, keys.enter);
  };

  it('creates a token, shows it once, and the token works until it is revoked', async () => {
    const me = await t.loggedInPerson('tuitok');
    const { lastFrame, stdin } = await openTokens(me.token);
    expect(lastFrame()).to.include('None yet');
    await press(stdin, 'n');
    await waitForFrame(lastFrame, (f) => f.includes('New personal access token'));
    await fill(stdin, 'tui bot', 'chat:read profile:read', '30');
    const shown = await waitForFrame(lastFrame, (f) => f.includes('will not be shown again'));
    const token = /mux1_pat_\w+/.exec(shown)?.[0];
    expect(token, shown).to.be.a('string');
    expect(shown).to.match(/chat:read profile:read|profile:read chat:read/);
    const me2 = await t.api('GET', '/api/me', undefined, bearer(token!));
    expect(me2.status).to.equal(200);

    await press(stdin, keys.enter);
    const listed = await waitForFrame(lastFrame, (f) => f.includes('› tui bot'));
    expect(listed, 'the list never shows the token').not.to.include('mux1_pat_');

    await press(stdin, 'r');
    await waitForFrame(lastFrame, (f) => f.includes("Revoke 'tui bot'?"));
    await press(stdin, 'n');
    await waitForFrame(lastFrame, (f) => !f.includes('Revoke '));
    expect((await t.api('GET', '/api/me', undefined, bearer(token!))).status, 'n keeps it').to.equal(200);

    await press(stdin, 'r');
    await waitForFrame(lastFrame, (f) => f.includes("Revoke 'tui bot'?"));
    await press(stdin, 'y');
    await waitForFrame(lastFrame, (f) => f.includes('revoked') && f.includes('None yet'));
    expect((await t.api('GET', '/api/me', undefined, bearer(token!))).status).to.equal(401);

    await press(stdin, keys.escape);
    await waitForFrame(lastFrame, (f) => f.includes('Sessions'));
  });

  it('refuses a bad name, scope or expiry beside the field, before anything is sent', async () => {
    const me = await t.loggedInPerson('tuitokbad');
    const { lastFrame, stdin } = await openTokens(me.token);
    await press(stdin, 'n');
    await waitForFrame(lastFrame, (f) => f.includes('New personal access token'));
    await fill(stdin, ' ', 'chat:read', '90');
    await waitForFrame(lastFrame, (f) => f.includes('give the token a name'));
    await press(stdin, keys.escape);
    await press(stdin, 'n');
    await waitForFrame(lastFrame, (f) => f.includes('New personal access token'));
    await fill(stdin, 'x', 'chat:read admin', '90');
    await waitForFrame(lastFrame, (f) => f.includes("unknown scope 'admin'"));
    await press(stdin, keys.escape);
    for (const days of ['0', '366', 'soon']) {
      await press(stdin, 'n');
      await waitForFrame(lastFrame, (f) => f.includes('New personal access token'));
      await fill(stdin, 'x', 'chat:read', days);
      await waitForFrame(lastFrame, (f) => f.includes(`from 1 to 365, not '${days}'`));
      await press(stdin, keys.escape);
    }
    const listed = await t.api('GET', '/api/tokens', undefined, bearer(me.token));
    expect(listed.body.tokens).to.deep.equal([]);
  });
});
