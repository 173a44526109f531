import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { debugEnabled } from './debug.js';
import { describeError, exitCodeFor, oneLine } from './describe-error.js';
import { UsageError } from './errors.js';
import { paint } from './style.js';

// oclif's own FlagOutput/ArgOutput, which its index does not export.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parsed = { [name: string]: any };

/** On every command that prints a result. */
export const jsonFlag = Flags.boolean({
  summary: 'Print exactly one JSON object on stdout (errors too, as {error, code}).',
  helpGroup: 'GLOBAL',
});

/**
 * What every mux1 command shares: one place that prints results, and one place that
 * turns any failure into the contract's `{error, code}` (stdout, with --json) or one line on
 * stderr, with exit status 2 for usage errors and 1 for the rest. Commands that print a result add
 * `jsonFlag` to their baseFlags.
 */
export abstract class Mux1Command extends Command {
  /**
   * Read from argv rather than from the parsed flags, so an error raised while parsing (an
   * unknown flag, say) still comes out as JSON when --json was given.
   */
  protected get jsonOutput(): boolean {
    const end = this.argv.indexOf('--');
    const before = end === -1 ? this.argv : this.argv.slice(0, end);
    return before.includes('--json');
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
      throw new UsageError(
        `${oneLine((err as Error).message)} (see: ${this.config.bin} ${this.commandName} --help)`,
      );
    }
  }

  protected get commandName(): string {
    return (this.id ?? '').replaceAll(':', ' ');
  }

  /** Prints a command's result: the object with --json, the sentence(s) otherwise. */
  protected result(json: object, human: string | string[]): void {
    if (this.jsonOutput) {
      process.stdout.write(JSON.stringify(json) + '\n');
      return;
    }
    const lines = Array.isArray(human) ? human : [human];
    process.stdout.write(lines.join('\n') + '\n');
  }

  protected override async catch(err: Interfaces.CommandError): Promise<never> {
    // this.exit() and oclif's own exits are already decided; let them through untouched.
    if (err instanceof Errors.ExitError) throw err;
    const described = describeError(err);
    if (this.jsonOutput) {
      process.stdout.write(JSON.stringify(described.body) + '\n');
    } else {
      const hint = described.hint ? ` - ${described.hint}` : '';
      process.stderr.write(`${paint(process.stderr, 'red', 'Error:')} ${described.body.error}${hint}\n`);
    }
    if (debugEnabled()) process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
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
    throw new UsageError(
      'mux1 takes no --password flag: it would be visible in shell history and the process list. ' +
        'Pipe the password in with --password-stdin, or leave it out to be asked on a terminal',
    );
  }
}
