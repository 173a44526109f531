import { expect } from 'chai';
import { deadServerUrl } from '../../helpers/cli.js';
import { useServer } from '../../helpers/fixture.js';
import { SQL_INJECTION, WRONG_VALUES } from '../../helpers/hostile-inputs.js';

/**
 * The command line in German: people read its sentences in the terminal's language (MUX1_LANG,
 * else LC_ALL, LC_MESSAGES, LANG), scripts read --json, which is the same byte for byte in every
 * language, codes included.
 */
describe('mux1 CLI: the terminal language', () => {
  const password = 'violet staple engine';
  const german = { MUX1_LANG: 'de' };
  // No MUX1_LANG: the POSIX variables decide, as on a German desktop.
  const germanDesktop = {
    MUX1_LANG: undefined,
    LC_ALL: undefined,
    LC_MESSAGES: undefined,
    LANG: 'de_DE.UTF-8',
  };

  const t = useServer({ mail: true, cliHome: true });

  before(async () => {
    const email = 'greta@example.com';
    await t.api('POST', '/api/signup', { username: 'greta', email, password });
    await t.api('POST', '/api/verify-email', { email, code: await t.mail.codeFor(email) });
  });

  it('login, whoami and logout speak German with MUX1_LANG=de', async () => {
    const login = await t.cli(['login', '--username', 'greta', '--password-stdin'], {
      input: password,
      env: german,
    });
    expect(login.code, login.stderr).to.equal(0);
    expect(login.stdout).to.match(
      /^Angemeldet als greta\. Sitzung für http:\S+ gespeichert, gültig bis \S+\.\n$/,
    );
    expect(login.stderr).to.equal('');

    const whoami = await t.cli(['whoami'], { env: german });
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(whoami.stdout).to.equal(`greta <greta@example.com> auf ${t.url}\n`);

    const logout = await t.cli(['logout'], { env: german });
    expect(logout.stdout).to.equal(`Von ${t.url} abgemeldet.\n`);
  });

  it('--json is the same byte for byte in English and German, results and failures alike', async function () {
    this.timeout(120_000);
    await t.cliLogIn({ username: 'greta', password });
    for (const [args, input] of [
      [['whoami', '--json'], ''],
      [['history', '--json', '--limit', '5'], ''],
      [['tokens', 'list', '--json'], ''],
      [['login', '--username', 'greta', '--password-stdin', '--json'], 'wrong password here'],
      [['sessions', 'revoke', '--json'], ''],
      [['no-such-command', '--json'], ''],
    ] as [string[], string][]) {
      const english = await t.cli(args, { input });
      const inGerman = await t.cli(args, { input, env: german });
      const onDesktop = await t.cli(args, { input, env: germanDesktop });
      expect(inGerman.stdout, args.join(' ')).to.equal(english.stdout);
      expect(onDesktop.stdout, args.join(' ')).to.equal(english.stdout);
      expect(inGerman.code, args.join(' ')).to.equal(english.code);
      expect(english.json(), args.join(' ')).to.be.an('object');
    }
  });

  it('a refused login says so in German on stderr, by its code, exit 1', async () => {
    const r = await t.cli(['login', '--username', 'greta', '--password-stdin'], {
      input: 'not the password',
      env: german,
    });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('Fehler: Falscher Benutzername oder falsches Passwort.\n');
  });

  it('LANG=de_DE.UTF-8 without MUX1_LANG is German too: health, and an unknown command', async () => {
    const health = await t.cli(['health'], { env: germanDesktop });
    expect(health.code, health.stderr).to.equal(0);
    expect(health.stdout).to.match(/^http:\S+ ist gesund: Datenbank \S+, Version \S+, läuft seit \d+ s\n$/);

    const typo = await t.cli(['helth'], { env: germanDesktop });
    expect(typo.code).to.equal(2);
    expect(typo.stderr).to.equal(
      "Fehler: 'helth' ist kein mux1-Befehl. Meintest du 'mux1 health'? Alle Befehle zeigt 'mux1 help'.\n",
    );
  });

  it('failures the command line finds itself are German, with their hints', async function () {
    this.timeout(60_000);
    const home = { MUX1_CONFIG_DIR: `${t.cliHome}/nobody-here` };
    const notLoggedIn = await t.cli(['whoami'], { env: { ...german, ...home } });
    expect(notLoggedIn.code).to.equal(1);
    expect(notLoggedIn.stderr).to.equal(
      `Fehler: Nicht bei ${t.url} angemeldet: führe 'mux1 login --username NAME' aus oder setze MUX1_TOKEN\n`,
    );

    const dead = await deadServerUrl();
    const unreachable = await t.cli(['health', '--server', dead], { env: german });
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.equal(
      "Fehler: Der Server ist nicht erreichbar. - läuft dort ein mux1-Server? Starte einen mit 'mux1 server', oder gib --server URL an\n",
    );

    const usage = await t.cli(['sessions', 'revoke'], { env: german });
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.equal(
      'Fehler: gib eine Sitzungs-ID oder --others an (siehe: mux1 sessions revoke --help)\n',
    );

    const noPasswordFlag = await t.cli(['login', '--username', 'greta', '--password', 'x'], { env: german });
    expect(noPasswordFlag.code).to.equal(2);
    expect(noPasswordFlag.stderr).to.match(/^Fehler: mux1 kennt keine Option --password: /);
  });

  describe('a MUX1_LANG mux1 does not speak', () => {
    it('is said once on stderr, in English, and the command goes on in the language LANG chose', async () => {
      const r = await t.cli(['health'], { env: { MUX1_LANG: 'klingon', LANG: 'de_DE.UTF-8' } });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.equal(
        'mux1: MUX1_LANG="klingon" is not a language mux1 speaks (en, de); going on in de\n',
      );
      expect(r.stdout).to.match(/ ist gesund: /);
    });

    it('leaves --json stdout alone, and English is the language without LANG', async () => {
      const r = await t.cli(['health', '--json'], { env: { MUX1_LANG: 'fr', LANG: 'C.UTF-8' } });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json().status).to.equal('healthy');
      expect(r.stderr).to.equal(
        'mux1: MUX1_LANG="fr" is not a language mux1 speaks (en, de); going on in en\n',
      );
    });

    it('is said once, cut short and without control characters, whatever it holds', async function () {
      this.timeout(120_000);
      const strings = WRONG_VALUES.filter((v): v is string => typeof v === 'string');
      for (const hostile of [
        ...strings,
        SQL_INJECTION[1]!,
        'x'.repeat(10_000),
        '\u001b[2J\u001b]0;pwned\u0007',
        '\u009b31mred',
        '{{bin}} __proto__',
      ]) {
        // An environment variable cannot hold a NUL byte; a blank one counts as unset.
        if (hostile.includes('\u0000') || !hostile.trim()) continue;
        const r = await t.cli(['health'], { env: { MUX1_LANG: hostile, LANG: 'C' } });
        const shown = JSON.stringify(hostile.slice(0, 20));
        expect(r.code, shown + r.stderr).to.equal(0);
        const lines = r.stderr.split('\n').filter(Boolean);
        if (lines.length === 0) continue; // a value that names a language mux1 speaks ("de-...")
        expect(lines, shown).to.have.length(1);
        expect(lines[0], shown).to.match(/^mux1: MUX1_LANG=".*" is not a language mux1 speaks/);
        expect(lines[0]!.length, shown).to.be.below(200);
        const controls = [...lines[0]!].filter(
          (c) => c.charCodeAt(0) < 0x20 || (c >= '\u007f' && c <= '\u009f'),
        );
        expect(controls, shown).to.deep.equal([]);
      }
    });
  });
});
