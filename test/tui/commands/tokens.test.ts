import { expect } from 'chai';
import { type Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

describe('mux1 tokens create|list|revoke, and MUX1_TOKEN holding one', function () {
  // Each case is a CLI process of its own: dozens of them on a loaded machine.
  this.timeout(90_000);
  let p: Person;

  const t = useServer({ mail: true, cliHome: true, env: { LOG_LEVEL: 'warn' } });

  before(async () => {
    p = await t.verifiedPerson('clitokens');
    const login = await t.cliLogIn(p);
    expect(login.code, login.stderr).to.equal(0);
  });

  /** A token made through the CLI, as JSON. */
  const create = async (args: string[]) => {
    const r = await t.cli(['tokens', 'create', ...args, '--json']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    return r.json();
  };
  const asToken = (token: string, args: string[]) => t.cli(args, { env: { MUX1_TOKEN: token } });

  it('creates a token shown once, with the warning, and lists it without the token', async () => {
    const r = await t.cli([
      'tokens',
      'create',
      '--name',
      'deploy',
      '--scope',
      'chat:write',
      '--scope',
      'chat:read',
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const token = /mux1_pat_[0-9A-Za-z]+/.exec(r.stdout)?.[0];
    expect(token, r.stdout).to.be.a('string');
    expect(r.stdout).to.match(/will not be shown again/);
    expect(r.stdout).to.match(/chat:(write|read) chat:(read|write)/);

    const json = await t.cli(['tokens', 'list', '--json']);
    expect(json.code, json.stderr).to.equal(0);
    expect(json.stdout).not.to.include('mux1_pat_');
    const listed = json.json().tokens.find((x: any) => x.name === 'deploy');
    expect(listed.scopes.slice().sort()).to.deep.equal(['chat:read', 'chat:write']);
    // Left out, the expiry is the server's default of 90 days.
    expect((Date.parse(listed.expires_at) - Date.now()) / 86_400_000).to.be.within(89, 91);

    const table = await t.cli(['tokens']);
    expect(table.code, table.stderr).to.equal(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^ID +NAME +SCOPES +CREATED +EXPIRES +LAST USED$/);
    expect(lines.some((l) => l.startsWith(`${listed.id} `) && l.includes('deploy'))).to.equal(true);
    expect(table.stdout).not.to.include('mux1_pat_');
  });

  it('--expires-in-days and --no-expiry set the expiry; --json returns the token', async () => {
    const week = await create(['--name', 'week', '--scope', 'chat:read', '--expires-in-days', '7']);
    expect(week.token).to.match(/^mux1_pat_/);
    expect((Date.parse(week.expires_at) - Date.now()) / 86_400_000).to.be.within(6, 8);
    const forever = await create(['--name', 'forever', '--scope', 'profile:read', '--no-expiry']);
    expect(forever.expires_at).to.equal(null);
    const table = await t.cli(['tokens', 'list']);
    expect(table.stdout.split('\n').find((l) => l.includes('forever'))).to.match(/never +never$/);
  });

  it('MUX1_TOKEN with a token sends a message, and whoami names the token and its scopes', async () => {
    const { token, id } = await create([
      '--name',
      'bot',
      '--scope',
      'chat:write',
      '--scope',
      'chat:read',
      '--scope',
      'profile:read',
    ]);
    const sent = await asToken(token, ['send', 'hi from a token', '--json']);
    expect(sent.code, sent.stdout + sent.stderr).to.equal(0);
    expect(sent.json().ok).to.equal(true);

    const who = await asToken(token, ['whoami']);
    expect(who.code, who.stderr).to.equal(0);
    expect(who.stdout).to.include(`${p.username} <`);
    expect(who.stdout).to.include('(token from MUX1_TOKEN)');
    expect(who.stdout).to.match(/Personal access token \S+ 'bot': chat:write chat:read profile:read|'bot': /);
    const whoJson = (await asToken(token, ['whoami', '--json'])).json();
    expect(whoJson.credential).to.include({ type: 'token', name: 'bot', id });
    expect(whoJson.token_source).to.equal('env');

    const revoked = await t.cli(['tokens', 'revoke', id, '--json']);
    expect(revoked.code, revoked.stdout).to.equal(0);
    const after = await asToken(token, ['send', 'too late']);
    expect(after.code).to.equal(1);
    expect(after.stderr).to.match(/refused the token in MUX1_TOKEN: it is revoked, expired or mistyped/);
  });

  it('a chat:write-only token posts to a room it cannot join, as the README shows', async () => {
    const { token } = await create(['--name', 'deploy', '--scope', 'chat:write', '--expires-in-days', '30']);
    const sent = await asToken(token, ['send', '--room', 'ops', 'deploy finished', '--json']);
    expect(sent.code, sent.stdout + sent.stderr).to.equal(0);
    const read = await t.cli(['history', '--room', 'ops', '--json']);
    expect(read.code, read.stderr).to.equal(0);
    expect(read.json().messages.map((m: { text: string }) => m.text)).to.deep.equal(['deploy finished']);
    const history = await asToken(token, ['history', '--room', 'ops', '--json']);
    expect(history.code).to.equal(1);
    expect(history.json().code).to.equal('insufficient_scope');
  });

  it('MUX1_TOKEN wins over the stored login', async () => {
    const { token } = await create(['--name', 'wins', '--scope', 'profile:read']);
    const who = (await asToken(token, ['whoami', '--json'])).json();
    expect(who.credential.type).to.equal('token');
    expect((await t.cli(['whoami', '--json'])).json().credential.type).to.equal('session');
  });

  it('a token without the scope gets insufficient_scope, saying which scope and what to do', async () => {
    const { token } = await create(['--name', 'reader', '--scope', 'chat:read']);
    const sent = await asToken(token, ['send', 'hello', '--json']);
    expect(sent.code).to.equal(1);
    expect(sent.json().code).to.equal('insufficient_scope');
    const who = await asToken(token, ['whoami']);
    expect(who.code).to.equal(1);
    expect(who.stderr).to.match(/without the profile:read scope/);
  });

  it('commands no token may run are refused before anything is asked or sent', async () => {
    const { token } = await create(['--name', 'limited', '--scope', 'chat:read']);
    for (const args of [
      ['password', 'change', '--password-stdin'],
      ['2fa', 'status'],
      ['sessions'],
      ['account', 'export'],
      ['tokens', 'list'],
      ['tokens', 'create', '--name', 'x', '--scope', 'chat:read'],
      ['logout'],
    ]) {
      const r = await t.cli([...args, '--json'], { env: { MUX1_TOKEN: token }, input: 'a\nb\n' });
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.json().code).to.equal('token_not_allowed');
      expect(r.json().error).to.match(
        /personal access token, and a token can never|which logout does not end/,
      );
    }
  });

  it('refuses hostile flags with exit 2 before any request', async () => {
    const bad: [string[], RegExp][] = [
      [['--name', 'x', '--scope', 'admin'], /unknown scope 'admin'/],
      [['--name', 'x', '--scope', 'chat:read,root'], /unknown scope 'root'/],
      [['--name', 'x', '--scope', ''], /unknown scope ''/],
      [['--name', 'x', '--scope', 'chat:read', '--expires-in-days', '0'], /from 1 to 365, not '0'/],
      [['--name', 'x', '--scope', 'chat:read', '--expires-in-days', '366'], /from 1 to 365, not '366'/],
      [['--name', 'x', '--scope', 'chat:read', '--expires-in-days', 'abc'], /from 1 to 365, not 'abc'/],
      [['--name', 'x', '--scope', 'chat:read', '--expires-in-days', '-5'], /from 1 to 365/],
      [['--name', 'x', '--scope', 'chat:read', '--expires-in-days', '1.5'], /from 1 to 365/],
      [['--name', 'x', '--scope', 'chat:read', '--expires-in-days', '9'.repeat(400)], /from 1 to 365/],
      [
        ['--name', 'x', '--scope', 'chat:read', '--expires-in-days', '30', '--no-expiry'],
        /cannot also be provided/,
      ],
      [['--name', '', '--scope', 'chat:read'], /give the token a name/],
      [['--name', '   ', '--scope', 'chat:read'], /give the token a name/],
      [['--name', 'n'.repeat(100_000), '--scope', 'chat:read'], /at most 64 characters/],
      [['--name', 'two\nlines', '--scope', 'chat:read'], /control characters/],
      [['--name', 'x'], /Missing required flag/i],
      [['--scope', 'chat:read'], /Missing required flag/i],
    ];
    for (const [args, message] of bad) {
      const r = await t.cli(['tokens', 'create', ...args, '--json']);
      expect(r.code, args.join(' ').slice(0, 80)).to.equal(2);
      expect(r.json().error, args.join(' ').slice(0, 80)).to.match(message);
    }
    const listed = (await t.cli(['tokens', 'list', '--json'])).json().tokens;
    expect(listed.filter((x: any) => x.name === 'x' || x.name.startsWith('nnn'))).to.deep.equal([]);

    for (const id of ['', '../sessions', 'a'.repeat(65), 'x y']) {
      const r = await t.cli(['tokens', 'revoke', id, '--json']);
      expect(r.code, id).to.equal(2);
    }
    const unknown = await t.cli(['tokens', 'revoke', '999999', '--json']);
    expect(unknown.code).to.equal(1);
    expect(unknown.json().code).to.equal('not_found');
  });

  it('garbage, cut-short or mistyped MUX1_TOKEN gives a clear error', async () => {
    const { token } = await create(['--name', 'shape', '--scope', 'profile:read']);
    const flipped = token.slice(0, 20) + (token[20] === 'a' ? 'b' : 'a') + token.slice(21);
    const cases: [string, number, RegExp][] = [
      [token.slice(0, -10), 2, /cut short/],
      [token + 'x', 2, /too long/],
      [flipped, 2, /do not match the rest/],
      ['mux1_pat_' + '-'.repeat(49), 2, /mistyped/],
      ['two words', 2, /spaces, line breaks/],
      [`${token}\nsecond line`, 2, /spaces, line breaks/],
      ['é'.repeat(20), 2, /spaces, line breaks/],
      ['x'.repeat(5000), 2, /far longer/],
      ['garbage', 1, /refused the token in MUX1_TOKEN/],
    ];
    for (const [value, code, message] of cases) {
      const r = await asToken(value, ['whoami', '--json']);
      expect(r.code, value.slice(0, 40)).to.equal(code);
      expect(r.json().error, value.slice(0, 40)).to.match(message);
      expect(r.stdout, 'the token is never echoed').not.to.include(token.slice(9, 30));
    }
  });

  it('revoking another account’s token is not_found, and theirs keeps working', async () => {
    const other = await t.verifiedPerson('clitokother');
    const login = await t.logIn(other.username, other.password);
    const theirs = await t.as(login.body.token)('POST', '/api/tokens', {
      name: 'theirs',
      scopes: ['profile:read'],
    });
    expect(theirs.status).to.equal(201);
    const r = await t.cli(['tokens', 'revoke', theirs.body.id, '--json']);
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('not_found');
    expect((await t.as(theirs.body.token)('GET', '/api/me')).status).to.equal(200);
  });
});
