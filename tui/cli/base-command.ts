import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { fieldRuleOf, type ErrorBody } from '../../server/protocol.js';
import { describeError, exitCodeFor, oneLine, UsageError, writeFailure } from './errors.js';
import { englishTexts, warnUnsupportedLanguage, type Words } from './texts.js';

// oclif's own FlagOutput/ArgOutput, which its index does not export.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parsed = { [name: string]: any };

/** oclif's --json, said the way the contract means it: commands put it in their baseFlags. */
export const jsonFlag = Flags.boolean({
  summary: 'Print exactly one JSON object on stdout (errors too, as {error, code}).',
  helpGroup: 'GLOBAL',
});

/**
 * What every mux1 command shares. oclif does the JSON: a command returns its result from run()
 * and says it for people with this.log(), which --json silences; with --json, oclif prints the
 * result, and this class prints any failure as the contract's `{error, code}`. Without it a failure
 * is one line on stderr. Exit status 2 for usage errors, 1 for the rest.
 */
export abstract class Mux1Command extends Command {
  static override enableJsonFlag = true;

  /** A MUX1_LANG mux1 does not speak is said once, before anything else. */
  protected override async init(): Promise<void> {
    warnUnsupportedLanguage();
    await super.init();
  }

  /** Parsing failures are the caller's mistake, whatever oclif's own exit code for them. */
  protected override async parse<F extends Parsed, B extends Parsed, A extends Parsed>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    rejectPasswordFlag(argv);
    try {
      return await super.parse(options, argv);
    } catch (err) {
      // A value our own flag parsers refused keeps its code and field (`invalid_field`, `room`).
      const ours = err instanceof UsageError ? err : undefined;
      // oclif's own sentence is English; ours around it in the terminal's language.
      const detail = oneLine((err as Error).message);
      const usage = this.usageLine();
      // A shared field rule broken by a flag's value is said after the flag, as oclif says it.
      const flag = /^Parsing (--\S+)/.exec((err as Error).message)?.[1];
      const ruleFlag = flag && ours?.words && fieldRuleOf(ours.words(englishTexts)) ? `${flag}: ` : '';
      const words: Words = (t) =>
        t('usage.seeHelp', { detail: ours?.words ? ruleFlag + oneLine(ours.words(t)) : detail, usage });
      throw new UsageError(words, ours?.code, { field: ours?.field });
    }
  }

  /** `mux1 password reset`, as a person types it. */
  protected usageLine(): string {
    return `${this.config.bin} ${(this.id ?? '').replaceAll(':', ' ')}`.trim();
  }

  /** One line, so a script reading stdout gets exactly one JSON object. */
  protected override logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(json) + '\n');
  }

  protected override toErrorJson(err: unknown): ErrorBody<string> {
    return describeError(err).body;
  }

  /**
   * Prints a result now, for a command that reports before it ends (`tunnel` prints its URL, then
   * runs until interrupted); the others return theirs from run().
   */
  protected result(json: object, human: string | string[]): void {
    if (this.jsonEnabled()) this.logJson(json);
    else this.log((Array.isArray(human) ? human : [human]).join('\n'));
  }

  protected override async catch(err: Interfaces.CommandError): Promise<never> {
    // this.exit() and oclif's own exits are already decided; let them through untouched.
    if (err instanceof Errors.ExitError) throw err;
    writeFailure({ ...describeError(err), body: this.toErrorJson(err) }, this.jsonEnabled(), err);
    throw new Errors.ExitError(exitCodeFor(err));
  }
}

/**
 * A password given as a flag ends up in shell history and in `ps` for every user of the machine,
 * so the flag does not exist; saying why beats oclif's "Nonexistent flag".
 */
function rejectPasswordFlag(argv: string[]): void {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new UsageError((t) => t('usage.noPasswordFlag'));
  }
}
