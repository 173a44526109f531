import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { type Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

describe('mux1 sessions [list|revoke ID|revoke --others]', () => {
  let p: Person;

  const t = useServer({ mail: true, cliHome: true });

  before(async () => {
    p = await t.verifiedPerson('clisessions');
  });
  beforeEach(async () => {
    const login = await t.cliLogIn(p);
    expect(login.code, login.stderr).to.equal(0);
  });

  const me = (token: string) => t.api('GET', '/api/me', undefined, { authorization: `Bearer ${token}` });
  const otherSession = async () => (await t.logIn(p.username, p.password)).body.token as string;

  it('lists the sessions, this one marked, as JSON and as a table', async () => {
    await otherSession();
    const json = await t.cli(['sessions', 'list', '--json']);
    expect(json.code, json.stderr).to.equal(0);
    const { sessions, server } = json.json();
    expect(server).to.equal(t.url);
    expect(sessions.length).to.be.at.least(2);
    const current = sessions.filter((s: any) => s.current);
    expect(current).to.have.length(1);
    expect(current[0].user_agent).to.match(/^mux1\//);

    const table = await t.cli(['sessions']);
    expect(table.code, table.stderr).to.equal(0);
    const lines = table.stdout.replace(/\n$/, '').split('\n');
    expect(lines[0]).to.match(/^ {2}ID +STARTED +LAST SEEN +ADDRESS +CLIENT$/);
    expect(lines.filter((l) => l.startsWith('* '))).to.have.length(1);
    expect(lines.find((l) => l.startsWith('* '))).to.include(current[0].id);
  });

  it('revoke ID ends that session and no other', async () => {
    const token = await otherSession();
    const listed = await t.api('GET', '/api/sessions', undefined, { authorization: `Bearer ${token}` });
    const id = listed.body.sessions.find((s: any) => s.current).id;
    const r = await t.cli(['sessions', 'revoke', id, '--json']);
    expect(r.code, r.stdout).to.equal(0);
    expect(r.json()).to.include({ id, current: false, removed_file: false });
    expect((await me(token)).status).to.equal(401);
    expect((await t.cli(['whoami', '--json'])).code, 'this machine is still logged in').to.equal(0);
  });

  it('revoke --others ends every other session and keeps this one', async () => {
    const a = await otherSession();
    const b = await otherSession();
    const r = await t.cli(['sessions', 'revoke', '--others', '--json']);
    expect(r.code, r.stdout).to.equal(0);
    expect(r.json().revoked).to.be.at.least(2);
    expect((await me(a)).status).to.equal(401);
    expect((await me(b)).status).to.equal(401);
    expect((await t.cli(['whoami', '--json'])).code).to.equal(0);
  });

  it('revoking the session in use here logs this machine out', async () => {
    const { sessions } = (await t.cli(['sessions', '--json'])).json();
    const mine = sessions.find((s: any) => s.current).id;
    const r = await t.cli(['sessions', 'revoke', mine]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/it was the one in use here, so you are logged out/);
    expect((await t.cli(['whoami', '--json'])).json().code).to.equal('not_logged_in');
  });

  it("an unknown or another user's id exits 1 with not_found", async () => {
    const stranger = await t.verifiedPerson('clistranger');
    const theirToken = (await t.logIn(stranger.username, stranger.password)).body.token;
    const theirs = (await t.api('GET', '/api/sessions', undefined, { authorization: `Bearer ${theirToken}` }))
      .body.sessions[0].id;
    for (const id of [theirs, '0'.repeat(32)]) {
      const r = await t.cli(['sessions', 'revoke', id, '--json']);
      expect(r.code).to.equal(1);
      expect(r.json().code).to.equal('not_found');
    }
    expect((await me(theirToken)).status).to.equal(200);
  });

  it('lists every session over several pages, and revokes one past the first page', async () => {
    const userId = Number((await t.server.db('users').where({ username: p.username }).first()).id);
    const now = Date.now();
    // Older than any real login, so they all sort after the current session and fill the pages.
    const rows = Array.from({ length: 260 }, (_, i) => ({
      id: randomBytes(16).toString('hex'),
      user_id: userId,
      token_hash: randomBytes(32).toString('hex'),
      created_at: now - 3_600_000,
      expires_at: now + 86_400_000,
      last_seen_at: now - 60_000 - i,
      user_agent: `paged-${i}`,
      ip: '127.0.0.1',
    }));
    await t.server.db.batchInsert('sessions', rows, 50);
    const json = await t.cli(['sessions', '--json']);
    expect(json.code, json.stderr).to.equal(0);
    const ids = json.json().sessions.map((s: any) => s.id);
    expect(ids.length).to.be.at.least(261);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.include.members(rows.map((r) => r.id));
    const last = rows.at(-1)!.id;
    const r = await t.cli(['sessions', 'revoke', last, '--json']);
    expect(r.code, r.stdout).to.equal(0);
    expect(r.json()).to.include({ id: last, current: false });
    await t.server
      .db('sessions')
      .whereIn(
        'id',
        rows.map((row) => row.id),
      )
      .delete();
  });

  it('revoke needs exactly one of ID and --others (exit 2)', async () => {
    for (const args of [
      ['sessions', 'revoke'],
      ['sessions', 'revoke', 'abc', '--others'],
    ]) {
      const r = await t.cli([...args, '--json']);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.json().error).to.match(/give a session ID or --others/);
    }
  });

  it('has examples in every help', async () => {
    for (const args of [['sessions'], ['sessions', 'list'], ['sessions', 'revoke']]) {
      const r = await t.cli([...args, '--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout, args.join(' ')).to.include('EXAMPLES');
    }
  });
});
