import { expect } from 'chai';
import { join } from 'node:path';
import { CATALOGS } from '../../../i18n/index.js';
import type { Person } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';
import { SQL_INJECTION } from '../../helpers/hostile-inputs.js';
import { makeToken } from '../../helpers/tokens.js';

const german = CATALOGS.de.cli as { accountLanguage: Record<string, string> };

/** `mux1 account language`: the stored language of mails, read and changed over REST (/api/me). */
describe('mux1 account language', function () {
  // Each test runs the CLI several times, a second or so each on a busy machine.
  this.timeout(60_000);
  const t = useServer({ mail: true, cliHome: true });

  /** Signed in through the CLI; also a session of its own, to read /api/me beside the CLI. */
  const loggedIn = async (prefix: string): Promise<Person & { token: string }> => {
    const p = await t.loggedInPerson(prefix);
    const login = await t.cliLogIn(p);
    expect(login.code, login.stderr).to.equal(0);
    return p;
  };
  const storedLocale = async (p: { token: string }) => {
    const me = await t.as(p.token)('GET', '/api/me');
    expect(me.status).to.equal(200);
    return me.body.user.locale;
  };

  it('prints the stored language, changes it, and forgets it with default', async () => {
    const p = await loggedIn('clilang');
    // The test's signup sent no language mux1 speaks: none is stored.
    const none = await t.cli(['account', 'language', '--json']);
    expect(none.code, none.stderr).to.equal(0);
    expect(none.json()).to.deep.equal({ locale: null });
    const noneHuman = await t.cli(['account', 'language']);
    expect(noneHuman.stdout).to.equal(
      'No language chosen: mails to you are written in English. ' +
        "Choose one with 'mux1 account language en' or 'mux1 account language de'.\n",
    );

    const de = await t.cli(['account', 'language', 'de', '--json']);
    expect(de.code, de.stderr).to.equal(0);
    expect(de.json()).to.deep.equal({ locale: 'de' });
    expect(await storedLocale(p)).to.equal('de');
    expect((await t.cli(['account', 'language'])).stdout).to.equal(
      'Mails to you are written in German (de).\n',
    );
    // The next mail is German.
    expect((await t.api('POST', '/api/password/forgot', { email: p.email })).status).to.equal(200);
    const mail = await t.mail.waitFor((m) => m.to.includes(p.email) && /Passwort/.test(m.subject));
    expect(mail.subject).to.match(/^Dein Code zum Zurücksetzen des mux1-Passworts: \d{6}$/);

    const en = await t.cli(['account', 'language', ' EN ']);
    expect(en.code, en.stderr).to.equal(0);
    expect(en.stdout).to.equal('Done: mails to you are now written in English (en).\n');
    expect(await storedLocale(p)).to.equal('en');

    const cleared = await t.cli(['account', 'language', 'default', '--json']);
    expect(cleared.code, cleared.stderr).to.equal(0);
    expect(cleared.json()).to.deep.equal({ locale: null });
    expect(await storedLocale(p)).to.equal(null);
  });

  it('speaks German in a German terminal', async () => {
    await loggedIn('clilangde');
    const env = { MUX1_LANG: 'de' };
    const set = await t.cli(['account', 'language', 'de'], { env });
    expect(set.code, set.stderr).to.equal(0);
    expect(set.stdout).to.equal(`${german.accountLanguage.chosenGerman}\n`);
    const shown = await t.cli(['account', 'language'], { env });
    expect(shown.stdout).to.equal('E-Mails an dich werden auf Deutsch (de) geschrieben.\n');
    const wrong = await t.cli(['account', 'language', 'fr'], { env });
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.match(/^Fehler: „fr“ ist keine Sprache, in der mux1 E-Mails schreibt/);
    // The JSON stays the contract's, whatever the terminal's language.
    expect((await t.cli(['account', 'language', '--json'], { env })).json()).to.deep.equal({ locale: 'de' });
  });

  it('refuses a language it does not know, extra arguments and a huge one (exit 2), changing nothing', async () => {
    const p = await loggedIn('clilangbad');
    expect((await t.cli(['account', 'language', 'de'])).code).to.equal(0);

    const fr = await t.cli(['account', 'language', 'fr']);
    expect(fr.code).to.equal(2);
    expect(fr.stdout).to.equal('');
    expect(fr.stderr).to.equal(
      "Error: 'fr' is not a language mux1 writes mails in: give en, de or default " +
        '(see: mux1 account language --help)\n',
    );
    const frJson = await t.cli(['account', 'language', 'fr', '--json']);
    expect(frJson.code).to.equal(2);
    expect(frJson.json()).to.include({ code: 'invalid_field', field: 'locale' });

    // Forms the server would refuse too: a region, a full name, nothing, a null spelt out.
    for (const value of ['de-DE', 'Deutsch', '', 'null', '*', SQL_INJECTION[1]!]) {
      const r = await t.cli(['account', 'language', value, '--json']);
      expect(r.code, value).to.equal(2);
      expect(r.json(), value).to.include({ code: 'invalid_field', field: 'locale' });
    }

    const extra = await t.cli(['account', 'language', 'en', 'de', '--json']);
    expect(extra.code).to.equal(2);
    expect(extra.json()).to.include({ code: 'usage' });
    expect(extra.json().error).to.match(/^Unexpected argument: de/);

    // A huge argument is refused without being echoed whole.
    const huge = await t.cli(['account', 'language', 'x'.repeat(100_000)]);
    expect(huge.code).to.equal(2);
    expect(huge.stderr.length).to.be.below(300);
    expect(huge.stderr).to.include(`'${'x'.repeat(24)}…' is not a language`);
    // Terminal control characters in it are shown, not obeyed.
    const hostile = await t.cli(['account', 'language', '\u001b[2J\u202eevil']);
    expect(hostile.code).to.equal(2);
    expect(hostile.stderr).not.to.include('\u001b');
    expect(hostile.stderr).not.to.include('\u202e');

    expect(await storedLocale(p), 'unchanged by every refusal').to.equal('de');
  });

  it('reads with a token that has profile:read, but never changes with one (exit 2, nothing sent)', async () => {
    const p = await t.loggedInPerson('clilangpat');
    expect((await t.as(p.token)('PATCH', '/api/me', { locale: 'de' })).status).to.equal(200);
    const reader = await makeToken(t, p.token, ['profile:read']);
    const nobody = { MUX1_CONFIG_DIR: join(t.cliHome, 'nobody') };

    const read = await t.cli(['account', 'language', '--json'], {
      env: { ...nobody, MUX1_TOKEN: reader.token },
    });
    expect(read.code, read.stderr).to.equal(0);
    expect(read.json()).to.deep.equal({ locale: 'de' });

    const change = await t.cli(['account', 'language', 'en', '--json'], {
      env: { ...nobody, MUX1_TOKEN: reader.token },
    });
    expect(change.code).to.equal(2);
    expect(change.json()).to.include({ code: 'token_not_allowed' });
    expect(change.json().error).to.include('unset MUX1_TOKEN');
    expect(await storedLocale(p)).to.equal('de');

    const chatOnly = await makeToken(t, p.token, ['chat:read']);
    const scopeless = await t.cli(['account', 'language', '--json'], {
      env: { ...nobody, MUX1_TOKEN: chatOnly.token },
    });
    expect(scopeless.code).to.equal(1);
    expect(scopeless.json()).to.include({ code: 'insufficient_scope' });
  });

  it('without a session exits 1 with not_logged_in; has examples in its help', async () => {
    const nobody = { MUX1_CONFIG_DIR: join(t.cliHome, 'nobody') };
    for (const args of [[], ['de']]) {
      const r = await t.cli(['account', 'language', ...args, '--json'], { env: nobody });
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.json().code).to.equal('not_logged_in');
    }
    const help = await t.cli(['account', 'language', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('EXAMPLES');
    expect(help.stdout).to.include('LANGUAGE');
  });
});
