import { expect } from 'chai';
import { translator } from '../../../i18n/index.js';
import {
  codeProblem,
  emailProblem,
  FIELD_RULES,
  fieldRuleOf,
  messageProblem,
  passwordProblem,
  roomProblem,
  searchQueryProblem,
  secondFactorProblem,
  usernameProblem,
  type FieldRule,
} from '../../../server/protocol.js';
import { englishTexts, ruleText } from '../../../tui/cli/texts.js';
import { deadServerUrl, runCli } from '../../helpers/cli.js';
import { SQL_INJECTION } from '../../helpers/hostile-inputs.js';

/**
 * The field rules the CLI checks before it sends (server/protocol.ts): refused with exit 2 before
 * any request, the reason in the terminal's language by its rule, and in English (and in --json)
 * the protocol's own sentence, byte for byte.
 */
describe('mux1 CLI: field rules in the terminal language', () => {
  const german = translator('de', 'cli');

  it('each rule in English is the protocol sentence the server sends, and German has its own', () => {
    for (const rule of Object.keys(FIELD_RULES) as FieldRule[]) {
      const sentence = FIELD_RULES[rule];
      expect(fieldRuleOf(sentence), rule).to.equal(rule);
      expect(ruleText(sentence, englishTexts), rule).to.equal(sentence);
      const inGerman = ruleText(sentence, german);
      expect(inGerman, rule).to.not.equal(sentence);
      expect(inGerman, rule).to.not.match(/\{\{|rules\./);
    }
  });

  it('the protocol checks return the rules by their sentence, whatever the value', () => {
    const broken: [string | undefined, FieldRule][] = [
      [usernameProblem('x'), 'username'],
      [emailProblem('nope'), 'email'],
      [emailProblem(`${'a'.repeat(300)}@example.com`), 'email_too_long'],
      [passwordProblem('short'), 'password'],
      [codeProblem('12'), 'code'],
      [secondFactorProblem('!!'), 'second_factor'],
      [messageProblem('   '), 'message_empty'],
      [messageProblem('x'.repeat(5000)), 'message_too_long'],
      [roomProblem('Bad Room'), 'room'],
      [searchQueryProblem('q'.repeat(500)), 'query_too_long'],
      [searchQueryProblem('...'), 'query_word'],
    ];
    for (const [problem, rule] of broken) expect(fieldRuleOf(problem!), rule).to.equal(rule);
    expect(new Set(broken.map(([, rule]) => rule)).size).to.equal(Object.keys(FIELD_RULES).length);
  });

  it('a sentence that is no rule stays as it is', () => {
    for (const other of [
      '',
      'room',
      '__proto__',
      'constructor',
      'toString',
      '{{roomMax}}',
      SQL_INJECTION[0]!,
    ]) {
      expect(fieldRuleOf(other), other).to.equal(undefined);
      expect(ruleText(other, german), other).to.equal(other);
    }
  });

  describe('on the command line, exit 2 before any request', function () {
    this.timeout(120_000);
    let env: Record<string, string>;
    before(async () => {
      // Nothing listens there: a request would fail with exit 1 (unreachable), not 2.
      env = { MUX1_SERVER: await deadServerUrl(), MUX1_CONFIG_DIR: '/nonexistent/mux1-field-rules' };
    });

    // `after` marks the checks made once the flags are parsed: they come without the pointer to help.
    const cases: { args: string[]; input?: string; field: string; en: string; de: string; after?: true }[] = [
      {
        args: ['history', '--room', 'Bad Room'],
        field: 'room',
        en: `--room: ${FIELD_RULES.room}`,
        de: '--room: ein Raum hat 1-32 Zeichen aus a-z, 0-9, _ und -, oder heißt dm:A-B',
      },
      {
        args: ['send', '--to', 'X Y!', 'hi'],
        field: 'to',
        en: `--to: ${FIELD_RULES.username}`,
        de: '--to: ein Benutzername hat 3-32 Zeichen aus a-z, 0-9, _ . -',
      },
      {
        args: ['signup', '--username', 'alice', '--email', 'not-an-address'],
        field: 'email',
        en: `--email: ${FIELD_RULES.email}`,
        de: '--email: die E-Mail-Adresse ist ungültig',
      },
      {
        args: ['verify', '--email', 'alice@example.com', '--code', '12'],
        field: 'code',
        en: `--code: ${FIELD_RULES.code}`,
        de: '--code: der Code besteht aus 6 Ziffern',
      },
      {
        args: ['verify', '--email', 'alice@example.com', '--code-stdin'],
        input: 'abc\n',
        field: 'code',
        after: true,
        en: `--code-stdin: ${FIELD_RULES.code}`,
        de: '--code-stdin: der Code besteht aus 6 Ziffern',
      },
      {
        args: ['search', '...'],
        field: 'query',
        en: FIELD_RULES.query_word,
        de: 'die Suche braucht ein Wort (Buchstaben oder Ziffern)',
      },
      {
        args: ['edit', '1', '   '],
        field: 'text',
        en: FIELD_RULES.message_empty,
        de: 'die Nachricht ist leer',
      },
      {
        args: ['send', '--room', 'ops'],
        input: 'x'.repeat(2001),
        field: 'text',
        after: true,
        en: FIELD_RULES.message_too_long,
        de: 'die Nachricht ist länger als 2000 Zeichen',
      },
    ];

    for (const { args, input, field, en, de, after } of cases) {
      it(`mux1 ${args.join(' ').slice(0, 50)}: ${field}`, async () => {
        const english = await runCli(args, { env, input });
        const inGerman = await runCli(args, { env: { ...env, MUX1_LANG: 'de' }, input });
        const help = `mux1 ${args[0]} --help`;
        const [see, siehe] = after ? ['', ''] : [` (see: ${help})`, ` (siehe: ${help})`];
        expect(english.code, english.stderr).to.equal(2);
        expect(inGerman.code, inGerman.stderr).to.equal(2);
        expect(english.stderr).to.equal(`Error: ${en}${see}\n`);
        expect(inGerman.stderr).to.equal(`Fehler: ${de}${siehe}\n`);

        const json = await runCli([...args, '--json'], { env, input });
        const jsonInGerman = await runCli([...args, '--json'], { env: { ...env, MUX1_LANG: 'de' }, input });
        expect(jsonInGerman.stdout).to.equal(json.stdout);
        expect(json.json()).to.deep.equal({ error: `${en}${see}`, code: 'invalid_field', field });
      });
    }

    it('hostile values get the rule, in German, and never echo what was typed', async () => {
      for (const room of ['x'.repeat(10_000), '\u001b[2J\u001b]0;pwned\u0007', SQL_INJECTION[0]!, 'Lobby']) {
        const r = await runCli(['history', '--room', room], { env: { ...env, MUX1_LANG: 'de' } });
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.equal(
          'Fehler: --room: ein Raum hat 1-32 Zeichen aus a-z, 0-9, _ und -, oder heißt dm:A-B ' +
            '(siehe: mux1 history --help)\n',
        );
      }
    });
  });
});
