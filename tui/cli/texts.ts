import { LANGUAGES, translator, type Translate } from '../../i18n/index.js';
import { CHAT, fieldRuleOf, LIMITS, TWO_FACTOR } from '../../server/protocol.js';
import { terminal, textsOf } from '../client/language.js';
import { safeText } from '../client/safe-text.js';

/*
 * The command line's words (i18n/<language>/cli.json). What a person reads comes in the terminal's
 * language; what a script reads - --json results and error bodies, codes, flag and command names -
 * stays the same in every language, so the English texts are at hand too.
 */

/** A text said in whichever language is asked: `(t) => t(KEY, values)` with a literal KEY of cli.json. */
export type Words = (t: Translate) => string;

/** The CLI's texts in the terminal's language. */
export const cliTexts = (): Translate => textsOf('cli');

/** The CLI's texts in English: for `message` fields of --json results and error bodies. */
export const englishTexts: Translate = translator('en', 'cli');

/** True when the terminal speaks English, where the server's own (English) sentences are shown. */
export const speaksEnglish = (): boolean => terminal.language === 'en';

/**
 * A sentence the server wrote (always English) in English, else ours in the terminal's language:
 * the server's names the same thing, ours is in words the person reads.
 */
export const serverOr = (serverSentence: string, ours: string): string =>
  speaksEnglish() ? serverSentence : ours;

/** The figures the field rules' texts name (`rules.*` in cli.json). */
const RULE_VALUES = {
  usernameMin: LIMITS.usernameMin,
  usernameMax: LIMITS.usernameMax,
  emailMax: LIMITS.emailMax,
  passwordMin: LIMITS.passwordMin,
  passwordMax: LIMITS.passwordMax,
  codeDigits: LIMITS.codeDigits,
  totpDigits: TWO_FACTOR.totpDigits,
  messageMax: LIMITS.messageMax,
  roomMax: CHAT.roomMax,
  queryMax: CHAT.searchQueryMax,
};

/**
 * What a shared field rule (server/protocol.ts) says is wrong, in the language of `t`: the rule is
 * found by its English sentence and said by its name from the catalog (in English the same
 * sentence, test/tui/commands/field-rules.test.ts checks). Any other sentence stays as it is.
 */
export function ruleText(problem: string, t: Translate): string {
  const rule = fieldRuleOf(problem);
  return rule ? t(`rules.${rule}`, RULE_VALUES) : problem;
}

/** A broken field rule as a failure's words, after `prefix` (`--code-stdin: `). */
export const ruleWords =
  (problem: string, prefix = ''): Words =>
  (t) =>
    prefix + ruleText(problem, t);

/** A number as the terminal's language writes it (1,234 or 1.234). */
export const numberText = (n: number): string => new Intl.NumberFormat(terminal.language).format(n);

let warned = false;

/**
 * An explicitly set MUX1_LANG that mux1 does not speak: one line on stderr, once per run, in
 * English (the language the person asked for is the one we lack), then the command goes on in the
 * language the POSIX variables chose.
 */
export function warnUnsupportedLanguage(stream: NodeJS.WritableStream = process.stderr): void {
  if (warned || terminal.unsupported === undefined) return;
  warned = true;
  stream.write(
    `mux1: MUX1_LANG=${JSON.stringify(safeText(terminal.unsupported))} is not a language mux1 speaks ` +
      `(${LANGUAGES.join(', ')}); going on in ${terminal.language}\n`,
  );
}
