import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts } from '../../cli/texts.js';

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
    const t = cliTexts();
    if (body.keys.length === 0) {
      this.log(t('keys.none', { server: flags.server, bin: this.config.bin }));
    } else {
      this.log(
        [
          `${t('keys.id').padEnd(36)}  ${t('keys.name').padEnd(20)}  ${t('keys.fingerprint').padEnd(50)}  ` +
            `${t('keys.addedAt').padEnd(10)}  ${t('keys.lastUsed')}`,
          ...body.keys.map(
            (k) =>
              `${k.id.padEnd(36)}  ${cut(k.name, 20)}  ${safeText(k.fingerprint).padEnd(50)}  ` +
              `${k.created_at.slice(0, 10)}  ${k.last_used_at?.slice(0, 10) ?? t('keys.never')}`,
          ),
        ].join('\n'),
      );
    }
    this.log(body.both_factors ? t('keys.bothFactors') : t('keys.firstFactor'));
    return { server: flags.server, keys: body.keys, both_factors: body.both_factors };
  }
}

/** The name is what someone typed: made safe for the terminal and cut to keep the columns. */
function cut(text: string, width: number): string {
  const chars = [...safeText(text)];
  return chars.length > width ? chars.slice(0, width - 1).join('') + '…' : chars.join('').padEnd(width);
}
