import { Args, Flags } from '@oclif/core';
import { emailProblem, ROLES } from '../../../server/protocol.js';
import { passwordStdinFlag, readPassword } from '../../cli/input.js';
import { OperatorCommand } from '../../cli/operator-command.js';
import { UsageError } from '../../cli/errors.js';
import { cliTexts, englishTexts, ruleWords } from '../../cli/texts.js';

export default class AdminCreate extends OperatorCommand {
  static override summary =
    'Create a verified account (an admin unless --role says otherwise) in the server database';
  static override description =
    'For a new server: makes the first admin without a mail round trip. Run on the server machine with ' +
    'the database the server uses (--db, --config or DATABASE_URL, as for `mux1 db`). The password meets ' +
    "the server's rules and is hashed as the server hashes it; it is asked twice (hidden) on a terminal, or " +
    'read as one line from standard input when that is a pipe.';
  static override examples = [
    '<%= config.bin %> admin create alice --email alice@example.com --db ./data/mux1.sqlite',
    {
      description: 'From a script, the password on standard input:',
      command:
        'printf %s "$PASSWORD" | <%= config.bin %> admin create alice --email alice@example.com --json',
    },
  ];
  static override args = {
    username: Args.string({
      description: 'The new username: 3-32 characters of a-z 0-9 _ . -',
      required: true,
    }),
  };
  static override flags = {
    ...OperatorCommand.flags,
    email: Flags.string({ summary: 'Its email address (taken as verified).', required: true }),
    role: Flags.string({ summary: 'Its role.', options: [...ROLES], default: 'admin' }),
    'password-stdin': passwordStdinFlag,
  };

  async run() {
    const { args, flags } = await this.parse(AdminCreate);
    const wrong = emailProblem(flags.email);
    if (wrong) throw new UsageError(ruleWords(wrong), 'invalid_field', { field: 'email' });
    // A pipe is read without being asked to: there is nobody to prompt.
    const fromStdin = flags['password-stdin'] || !process.stdin.isTTY;
    const password = await readPassword({ fromStdin, confirm: true });
    const done = await this.operator(flags, (op, choice) =>
      op.createAccount(choice, { username: args.username, email: flags.email, password, role: flags.role }),
    );
    const values = {
      username: done.user.username,
      email: done.user.email,
      role: done.user.role,
      database: done.database,
    };
    const message = englishTexts('admin.created', values);
    this.log(cliTexts()('admin.created', values));
    return { message, ...done };
  }
}
