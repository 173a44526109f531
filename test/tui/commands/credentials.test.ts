import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { filesUnder, readAll } from '../../helpers/cli.js';
import { useServer } from '../../helpers/fixture.js';

describe('mux1 CLI: the credential file', () => {
  let configDir: string;
  // Distinctive, so a grep of the folder cannot match anything by accident.
  const password = 'Zebra-Quartz-Lantern-9981';

  const t = useServer({ mail: true, cliHome: { configDir: 'nested/mux1' } });

  before(async () => {
    await t.api('POST', '/api/signup', { username: 'ivy', email: 'ivy@example.com', password });
    const code = await t.mail.codeFor('ivy@example.com');
    await t.api('POST', '/api/verify-email', { email: 'ivy@example.com', code });
    // Inside a folder that does not exist yet, so the test sees the mode login creates it with.
    configDir = t.cliEnv.MUX1_CONFIG_DIR!;
    const login = await t.cli(['login', '--username', 'ivy', '--password-stdin'], { input: password });
    expect(login.code, login.stderr).to.equal(0);
  });

  it('is one file, readable and writable by its owner only, in a folder only the owner can enter', () => {
    const files = filesUnder(configDir);
    expect(files).to.have.length(1);
    expect(files[0]!.mode.toString(8)).to.equal('600');
    expect((statSync(configDir).mode & 0o777).toString(8)).to.equal('700');
  });

  it('never holds the password, in any form a grep would find', () => {
    const everything = readAll(t.cliHome);
    expect(everything).not.to.include(password);
    expect(everything.toLowerCase()).not.to.include(password.toLowerCase());
    expect(everything).not.to.include(Buffer.from(password).toString('base64'));
    expect(everything).not.to.match(/password/i);
  });

  it('holds the token, the user and the server it belongs to', () => {
    const stored = JSON.parse(readFileSync(filesUnder(configDir)[0]!.path, 'utf8'));
    expect(stored.server).to.equal(t.url);
    expect(stored.user.username).to.equal('ivy');
    expect(stored.token).to.be.a('string').with.length.above(40);
  });

  it('is per server: another server URL is not logged in', async () => {
    const r = await t.cli(['whoami', '--json', '--server', 'http://127.0.0.1:1']);
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('not_logged_in');
  });

  it('is found again under another spelling of the same URL', async () => {
    const r = await t.cli(['whoami', '--json', '--server', `${t.url.replace('http://', 'HTTP://')}/`], {});
    expect(r.code, r.stdout).to.equal(0);
    expect(r.json().user.username).to.equal('ivy');
  });

  it('MUX1_TOKEN overrides it', async () => {
    await t.api('POST', '/api/signup', { username: 'jay', email: 'jay@example.com', password });
    const code = await t.mail.codeFor('jay@example.com');
    await t.api('POST', '/api/verify-email', { email: 'jay@example.com', code });
    const login = await t.api('POST', '/api/login', { username: 'jay', password });

    const r = await t.cli(['whoami', '--json'], { env: { MUX1_TOKEN: login.body.token } });
    expect(r.code, r.stdout).to.equal(0);
    expect(r.json()).to.deep.include({ token_source: 'env' });
    expect(r.json().user.username).to.equal('jay');
  });

  it('logout with MUX1_TOKEN revokes that token and leaves the stored session alone', async () => {
    const login = await t.api('POST', '/api/login', { username: 'jay', password });
    const r = await t.cli(['logout', '--json'], { env: { MUX1_TOKEN: login.body.token } });
    expect(r.code, r.stdout).to.equal(0);
    expect(r.json()).to.include({ revoked: true, removed_file: false });
    const me = await t.api('GET', '/api/me', undefined, { authorization: `Bearer ${login.body.token}` });
    expect(me.status).to.equal(401);
    const still = await t.cli(['whoami', '--json']);
    expect(still.json().user.username).to.equal('ivy');
  });

  it('is replaced, still 0600, by a second login', async () => {
    const before = JSON.parse(readFileSync(filesUnder(configDir)[0]!.path, 'utf8')).token;
    const login = await t.cli(['login', '--username', 'ivy@example.com', '--password-stdin'], {
      input: `${password}\r\n`,
    });
    expect(login.code, login.stderr).to.equal(0);
    const files = filesUnder(configDir);
    expect(files).to.have.length(1);
    expect(files[0]!.mode.toString(8)).to.equal('600');
    expect(JSON.parse(readFileSync(files[0]!.path, 'utf8')).token).not.to.equal(before);
  });
});
