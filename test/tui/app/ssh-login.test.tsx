import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { bearer, loggedInPerson } from '../../helpers/accounts.js';
import { api } from '../../helpers/server.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { makeOpensshKey, startOpensshAgent, tempKeyDir, type OpensshAgent } from '../../helpers/openssh.js';

/** The start menu's "Log in with SSH key", offered when an ssh-agent holds a key. */
describe('TUI: logging in with an SSH key from the ssh-agent', function () {
  this.timeout(60_000);
  let smtp: TestSmtp;
  let t: TestServer;
  let agent: OpensshAgent;
  let configDir: string;
  const dir = tempKeyDir();
  let app: ReturnType<typeof render> | undefined;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'warn' } });
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-ssh-'));
    agent = await startOpensshAgent();
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(async () => {
    await t.close();
    await smtp.close();
    await agent.close();
    rmSync(configDir, { recursive: true, force: true });
    dir.remove();
  });

  const services = (env: NodeJS.ProcessEnv) =>
    liveServices({ server: t.url, userAgent: 'mux1-tui-test', env: { ...env, MUX1_CONFIG_DIR: configDir } });

  it('is not offered without an agent, nor with an empty one', async () => {
    const { SSH_AUTH_SOCK: _unset, ...env } = process.env;
    app = render(<App services={services(env)} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Log in (l)'));
    await new Promise((r) => setTimeout(r, 300));
    expect(app.lastFrame()).not.to.include('SSH key');
    app.unmount();
    app = render(<App services={services({ ...env, SSH_AUTH_SOCK: agent.socket })} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Log in (l)'));
    await new Promise((r) => setTimeout(r, 500));
    expect(app.lastFrame()).not.to.include('SSH key');
  });

  it('logs in with the username alone once the agent holds a registered key', async () => {
    const p = await loggedInPerson(t.url, smtp, 'tuissh');
    const key = makeOpensshKey(dir.path, 'tui', ['-t', 'ed25519']);
    const stranger = makeOpensshKey(dir.path, 'stranger', ['-t', 'ed25519']);
    expect(
      (await api(t.url, 'POST', '/api/ssh-keys', { public_key: key.publicKey }, bearer(p.token))).status,
    ).to.equal(201);
    agent.add(stranger.path);
    agent.add(key.path);
    app = render(<App services={services({ ...process.env, SSH_AUTH_SOCK: agent.socket })} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Log in with SSH key (k)'));
    await press(app.stdin, 'k');
    const form = await waitForFrame(app.lastFrame, (f) => f.includes('Username or email'));
    expect(form).not.to.include('Password');
    await type(app.stdin, p.username);
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('● connected'), 15_000);
  });

  it('says so when no key in the agent is the account’s', async () => {
    const p = await loggedInPerson(t.url, smtp, 'tuisshnone');
    app = render(<App services={services({ ...process.env, SSH_AUTH_SOCK: agent.socket })} />);
    await waitForFrame(app.lastFrame, (f) => f.includes('Log in with SSH key (k)'));
    await press(app.stdin, 'k');
    await waitForFrame(app.lastFrame, (f) => f.includes('Username or email'));
    await type(app.stdin, p.username);
    await press(app.stdin, keys.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('none of the keys in your ssh-agent'), 15_000);
  });
});
