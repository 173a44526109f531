import { Args } from '@oclif/core';
import { UsageError } from '../../cli/errors.js';
import {
  passwordStdinFlag,
  readPassword,
  readPasswordAndSecondFactor,
  secondFactorStdinFlag,
} from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

export default class KeysPolicy extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageSshKeys');
  static override summary = 'Choose whether an SSH-key login counts as one factor or stands in for both';
  static override description =
    '`first` (the default): with two-factor sign-in on, `login --ssh` asks for the code next. `both`: the ' +
    'key alone logs in; your password (and a code, with two-factor sign-in on) confirm the change.';
  static override examples = ['<%= config.bin %> keys policy both', '<%= config.bin %> keys policy first'];
  static override args = {
    policy: Args.string({
      description: '`first` or `both`.',
      required: true,
      parse: async (input) => {
        if (input !== 'first' && input !== 'both') {
          const shown = input.slice(0, 20);
          throw new UsageError((t) => t('keys.notAPolicy', { policy: shown }), 'invalid_field', {
            field: 'policy',
          });
        }
        return input;
      },
    }),
  };
  static override flags = {
    'password-stdin': passwordStdinFlag,
    'code-stdin': secondFactorStdinFlag,
  };

  async run() {
    const { args, flags } = await this.parse(KeysPolicy);
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    let proof: { password?: string; code?: string } = {};
    if (args.policy === 'both') {
      const { enabled } = await rest.twoFactorStatus();
      proof = enabled
        ? await readPasswordAndSecondFactor(flags)
        : { password: await readPassword({ fromStdin: flags['password-stdin'] }) };
    }
    const res = await rest.setSshKeyPolicy({ both_factors: args.policy === 'both', ...proof });
    const t = cliTexts();
    this.log(serverOr(res.message, args.policy === 'both' ? t('keys.bothFactors') : t('keys.firstFactor')));
    return { message: res.message, server: flags.server, both_factors: args.policy === 'both' };
  }
}
