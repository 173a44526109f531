import { expect } from 'chai';
import { Config, Help } from '@oclif/core';
import stringWidth from 'string-width';
import german from '../../i18n/de/help.json' with { type: 'json' };
import Mux1Help, { helpTexts, helpWords, OCLIF_WORDS } from '../../tui/cli/help.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { helpPage, helpSubjects } from '../helpers/help-pages.js';

/**
 * Help in the terminal's language: every text of `mux1 --help`, `mux1 COMMAND --help` and the
 * topics has its German in i18n/de/help.json (keyed by the English text, so an English text changed
 * in a command needs its German again), German pages keep to the widths of the English ones, and
 * English help is oclif's own, byte for byte.
 */
const GERMAN: Readonly<Record<string, string>> = german;
const WIDTH = 80;

/** Every English text help can show, as the commands, plugins and package.json hold it. */
async function englishTexts(): Promise<Set<string>> {
  const config = await Config.load({ root: repoRoot });
  const texts = new Set<string>(OCLIF_WORDS);
  texts.add(config.pjson.description!);
  for (const topic of config.topics) if (topic.description) texts.add(topic.description);
  for (const command of config.commands) {
    for (const text of helpTexts(command)) texts.add(text);
    for (const flag of Object.values(command.flags ?? {}))
      if (flag.helpGroup && !flag.hidden) texts.add(`${flag.helpGroup.toUpperCase()} FLAGS`);
  }
  return texts;
}

/** What must pass through a translation untouched: flag names, `commands` and oclif's templates. */
const fixedParts = (text: string) =>
  [
    ...[...text.matchAll(/--[a-z][a-z-]*[a-z]/g)].map((m) => m[0]),
    ...[...text.matchAll(/`[^`]*`|<%=[^%]*%>/g)].map((m) => m[0]),
  ].sort();

const widest = (page: string) => Math.max(0, ...page.split('\n').map((line) => stringWidth(line)));

describe('i18n: help in the terminal language', () => {
  it('every command, flag, argument, example and topic has its German text, and nothing else does', async () => {
    const english = await englishTexts();
    const missing = [...english].filter((text) => !Object.hasOwn(GERMAN, text));
    const unused = Object.keys(GERMAN).filter((text) => !english.has(text));
    expect(missing, 'English help texts without German in i18n/de/help.json').to.deep.equal([]);
    expect(unused, 'German texts whose English no command says any more').to.deep.equal([]);
  });

  it('keeps flag names, `commands` and templates as they are, and no German text is empty', () => {
    for (const [english, text] of Object.entries(GERMAN)) {
      expect(text.trim(), english).to.not.equal('');
      expect(text, english).to.not.match(/\n/);
      if ((OCLIF_WORDS as readonly string[]).includes(english)) continue;
      expect(fixedParts(text), english).to.deep.equal(fixedParts(english));
    }
  });

  it('a text without a translation stays English; a language without help texts has none', () => {
    const say = helpWords('de')!;
    expect(say('Not a text of mux1')).to.equal('Not a text of mux1');
    expect(say('__proto__')).to.equal('__proto__');
    expect(say('constructor')).to.equal('constructor');
    expect(say('USAGE')).to.equal('VERWENDUNG');
    expect(helpWords('en')).to.equal(undefined);
    expect(helpWords('__proto__')).to.equal(undefined);
  });

  describe('every page', function () {
    this.timeout(300_000);
    let subjects: string[];
    before(async () => {
      subjects = await helpSubjects();
      expect(subjects.length).to.be.above(60);
    });

    it('in English is exactly what oclif draws without mux1 help class', async () => {
      for (const subject of subjects) {
        const ours = await helpPage(Mux1Help, subject, { MUX1_LANG: 'en' });
        const oclifs = await helpPage(Help, subject, { MUX1_LANG: 'en' });
        expect(ours, `mux1 ${subject} --help`).to.equal(oclifs);
      }
    });

    it('in German is German, as wide as the English page or 80 columns at most', async () => {
      for (const subject of subjects) {
        const english = await helpPage(Mux1Help, subject, { MUX1_LANG: 'en' });
        const inGerman = await helpPage(Mux1Help, subject, {
          MUX1_LANG: undefined,
          LC_ALL: undefined,
          LC_MESSAGES: undefined,
          LANG: 'de_DE.UTF-8',
        });
        const where = `mux1 ${subject} --help`;
        expect(inGerman, where).to.not.equal(english);
        expect(widest(inGerman), where).to.be.at.most(Math.max(WIDTH, widest(english)));
        // The page's first line (summary or the CLI's description) and its headers are German.
        expect(english.split('\n')[0], where).to.not.equal(inGerman.split('\n')[0]);
        expect(inGerman, where).to.not.match(/^(USAGE|FLAGS|DESCRIPTION|EXAMPLES|COMMANDS|TOPICS)$/m);
        expect(inGerman, where).to.not.include('(required)');
      }
    });

    it('in a language mux1 does not speak, or with a hostile MUX1_LANG, is English', async () => {
      const english = await helpPage(Mux1Help, 'login', { MUX1_LANG: 'en' });
      for (const env of [
        { MUX1_LANG: 'fr' },
        { MUX1_LANG: '__proto__' },
        { MUX1_LANG: 'x'.repeat(10_000) },
        { MUX1_LANG: '\u001b[2J de' },
        { MUX1_LANG: undefined, LC_ALL: 'C', LANG: 'de_DE.UTF-8' },
      ]) {
        expect(await helpPage(Mux1Help, 'login', env), JSON.stringify(env).slice(0, 60)).to.equal(english);
      }
    });
  });

  it('the built CLI says command and topic help in German, by MUX1_LANG or LANG', async function () {
    this.timeout(60_000);
    const login = await runCli(['login', '--help'], { env: { MUX1_LANG: 'de' } });
    expect(login.code, login.stderr).to.equal(0);
    expect(login.stdout).to.match(/^Anmelden und die Sitzung in der Zugangsdatei behalten\n\nVERWENDUNG\n/);
    expect(login.stdout).to.match(/^OPTIONEN$/m);
    expect(login.stdout).to.match(/^ {2}--username=<value> +Dein Benutzername oder deine E-Mail-Adresse\.$/m);

    const forgot = await runCli(['password', 'forgot', '--help'], {
      env: { LANG: 'de_AT.UTF-8', MUX1_LANG: undefined },
    });
    expect(forgot.code, forgot.stderr).to.equal(0);
    expect(forgot.stdout).to.match(/^ {2}--email=<value> +\(Pflicht\) Die Adresse des Kontos\.$/m);

    const topic = await runCli(['help', 'db'], { env: { MUX1_LANG: 'de' } });
    expect(topic.code, topic.stderr).to.equal(0);
    expect(topic.stdout).to.match(/^Migrationen, Sicherungen und Wiederherstellungen der Server-Datenbank\n/);
    expect(topic.stdout).to.match(/^BEFEHLE$/m);
  });
});
