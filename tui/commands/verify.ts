import { codeFlags, emailFlag, nextCommand, readCode } from '../cli/input.js';
import { LIMITS } from '../../server/protocol.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts, serverOr } from '../cli/texts.js';

export default class Verify extends ServerCommand {
  static override summary = 'Verify an email address with the code mailed at signup';
  static override description =
    `The ${LIMITS.codeDigits}-digit code is asked for on a terminal (hidden), or read from standard ` +
    'input with --code-stdin, so it shows neither in the process list nor in shell history.';
  static override examples = [
    '<%= config.bin %> verify --email alice@example.com',
    {
      description: 'From a script, with the code on standard input:',
      command: '<%= config.bin %> verify --email alice@example.com --code-stdin --json <<< "$CODE"',
    },
  ];
  static override flags = { email: emailFlag('The address the code was sent to.'), ...codeFlags };

  async run() {
    const { flags } = await this.parse(Verify);
    const code = await readCode(flags);
    const rest = await this.rest(flags.server);
    const { message } = await rest.verifyEmail({ email: flags.email, code });
    const t = cliTexts();
    const next = nextCommand(this.config.bin, ['login', '--username', flags.email], flags);
    this.log(`${serverOr(message, t('verify.done'))}\n${t('next', { command: next })}`);
    return { message, server: flags.server, email: flags.email };
  }
}
