import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import type { Words } from '../../cli/texts.js';

export default class KeysList extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageSshKeys');
  static override summary = 'List the SSH keys you log in with';
  static override description =
    'Each shows its id, name, fingerprint (as ssh-keygen -lf prints it), when it was added and last used. ' +
    'Remove one with `keys remove ID`.';
  static override examples = ['<%= config.bin %> keys list', '<%= config.bin %> keys list --json'];

  async run() {
    const { flags } = await this.parse(KeysList);
    const active = await this.requireToken(flags.server);
    const body = await (await this.rest(flags.server, active.token)).listSshKeys();
    if (body.keys.length === 0) {
      this.log(`No SSH keys on ${flags.server}. Add one with '${this.config.bin} keys add'.`);
    } else {
      this.log(
        [
          `${'ID'.padEnd(36)}  ${'NAME'.padEnd(20)}  ${'FINGERPRINT'.padEnd(50)}  ADDED       LAST USED`,
          ...body.keys.map(
            (k) =>
              `${k.id.padEnd(36)}  ${cut(k.name, 20)}  ${safeText(k.fingerprint).padEnd(50)}  ` +
              `${k.created_at.slice(0, 10)}  ${k.last_used_at?.slice(0, 10) ?? 'never'}`,
          ),
        ].join('\n'),
      );
    }
    this.log(
      body.both_factors
        ? 'An SSH-key login stands in for your password and second factor.'
        : 'An SSH-key login counts as the first factor (with two-factor sign-in on, a code is asked next).',
    );
    return { server: flags.server, keys: body.keys, both_factors: body.both_factors };
  }
}

/** The name is what someone typed: made safe for the terminal and cut to keep the columns. */
function cut(text: string, width: number): string {
  const chars = [...safeText(text)];
  return chars.length > width ? chars.slice(0, width - 1).join('') + '…' : chars.join('').padEnd(width);
}
