import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_SECTIONS, type Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

describe('mux1 account activity|export|deactivate|delete', () => {
  const t = useServer({ mail: true, cliHome: true });

  const loggedIn = async (prefix: string): Promise<Person> => {
    const p = await t.verifiedPerson(prefix);
    const login = await t.cliLogIn(p);
    expect(login.code, login.stderr).to.equal(0);
    return p;
  };

  it('activity lists events newest first and pages with --before', async () => {
    const p = await loggedIn('cliactivity');
    await t.logIn(p.username, 'a wrong one!');
    const first = await t.cli(['account', 'activity', '--limit', '2', '--json']);
    expect(first.code, first.stderr).to.equal(0);
    const page = first.json();
    expect(page.events.map((e: any) => e.type)).to.deep.equal(['login_failed', 'login']);
    expect(page.next_before).to.be.a('number');

    const rest = await t.cli(['account', 'activity', '--before', String(page.next_before), '--json'], {});
    expect(rest.json().events.map((e: any) => e.type)).to.deep.equal(['email_verified', 'signup']);
    expect(rest.json().next_before).to.equal(null);

    const human = await t.cli(['account', 'activity', '--limit', '1']);
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}login_failed +127\.0\.0\.1 /);
    expect(human.stdout).to.match(/More: mux1 account activity --before \d+/);

    const bad = await t.cli(['account', 'activity', '--limit', '500', '--json']);
    expect(bad.code).to.equal(2);
  });

  it('export prints the JSON, or writes it to a private file with --output', async () => {
    const p = await loggedIn('cliexport');
    const printed = await t.cli(['account', 'export', '--json']);
    expect(printed.code, printed.stderr).to.equal(0);
    const data = printed.json();
    expect(data.user).to.include({ username: p.username, email: p.email });
    expect(data).to.have.all.keys(...EXPORT_SECTIONS);

    const file = join(t.cliHome, 'export.json');
    const written = await t.cli(['account', 'export', '--output', file, '--json']);
    expect(written.code, written.stderr).to.equal(0);
    expect(written.json()).to.include({ file });
    expect((statSync(file).mode & 0o777).toString(8)).to.equal('600');
    expect(JSON.parse(readFileSync(file, 'utf8')).user.username).to.equal(p.username);
    expect(readFileSync(file, 'utf8')).not.to.match(/hash/i);
  });

  it('delete refuses a wrong password (exit 1), then deletes with the right one', async () => {
    const p = await loggedIn('clidelete');
    const wrong = await t.cli(['account', 'delete', '--password-stdin', '--json'], {
      input: 'certainly not it',
    });
    expect(wrong.code).to.equal(1);
    expect(wrong.json()).to.include({ code: 'invalid_credentials' });
    expect((await t.cli(['whoami', '--json'])).code).to.equal(0);

    const r = await t.cli(['account', 'delete', '--password-stdin'], { input: `${p.password}\n` });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Account deleted\./);
    expect((await t.cli(['whoami', '--json'])).json().code).to.equal('not_logged_in');
    expect((await t.logIn(p.username, p.password)).status).to.equal(401);
  });

  it('deactivate refuses a wrong password, then signs everything out until the next login reactivates', async () => {
    const p = await loggedIn('clideact');
    const other = await t.logIn(p.username, p.password);
    const wrong = await t.cli(['account', 'deactivate', '--password-stdin', '--json'], {
      input: 'certainly not it',
    });
    expect(wrong.code).to.equal(1);
    expect(wrong.json()).to.include({ code: 'invalid_credentials' });
    expect((await t.as(other.body.token)('GET', '/api/me')).status).to.equal(200);

    const r = await t.cli(['account', 'deactivate', '--password-stdin', '--json'], {
      input: `${p.password}\n`,
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json()).to.include({ removed_file: true });
    expect(r.json().message).to.match(/deactivated/);
    // Every session ended, the stored one and the other alike; the account is still there.
    expect((await t.cli(['whoami', '--json'])).json().code).to.equal('not_logged_in');
    expect((await t.as(other.body.token)('GET', '/api/me')).status).to.equal(401);
    const back = await t.cliLogIn(p);
    expect(back.code, back.stderr).to.equal(0);
    const events = (await t.cli(['account', 'activity', '--limit', '3', '--json'])).json().events;
    expect(events.map((e: any) => e.type)).to.include.members(['account_reactivated', 'account_deactivated']);
  });

  it('without a session every one exits 1 with not_logged_in; without a terminal delete exits 2', async () => {
    const nobody = { MUX1_CONFIG_DIR: join(t.cliHome, 'nobody') };
    for (const args of [['activity'], ['export'], ['deactivate'], ['delete']]) {
      const r = await t.cli(['account', ...args, '--json'], { env: nobody });
      expect(r.code, args[0]).to.equal(1);
      expect(r.json().code).to.equal('not_logged_in');
    }
    await loggedIn('clinotty');
    const r = await t.cli(['account', 'delete', '--json']);
    expect(r.code).to.equal(2);
    expect(r.json().code).to.equal('no_terminal');
  });

  it('has examples in every help', async () => {
    for (const command of ['activity', 'export', 'deactivate', 'delete']) {
      const r = await t.cli(['account', command, '--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout, command).to.include('EXAMPLES');
    }
  });
});
