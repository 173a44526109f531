import type { Hook } from '@oclif/core';
import { nearest } from '../nearest.js';
import { paint } from '../style.js';

/**
 * Replaces @oclif/plugin-not-found, which names its suggestion only in an interactive prompt and
 * exits 127: here the suggestion is printed for scripts too, and an unknown command is a usage
 * error (exit 2) like any other, as JSON with --json.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const { config, id } = options;
  const bin = config.bin;
  const spaced = (commandId: string) => commandId.replaceAll(':', config.topicSeparator);
  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const suggestion = nearest(id, visible);
  const message =
    `'${spaced(id)}' is not a ${bin} command.` +
    (suggestion ? ` Did you mean '${bin} ${spaced(suggestion)}'?` : '') +
    ` See '${bin} help' for the list.`;
  const argv = options.argv ?? [];
  const end = argv.indexOf('--');
  if ((end === -1 ? argv : argv.slice(0, end)).includes('--json')) {
    process.stdout.write(
      JSON.stringify({
        error: message,
        code: 'unknown_command',
        ...(suggestion ? { suggestion: spaced(suggestion) } : {}),
      }) + '\n',
    );
  } else {
    process.stderr.write(`${paint(process.stderr, 'red', 'Error:')} ${message}\n`);
  }
  this.exit(2);
};

export default hook;
