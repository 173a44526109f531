import { Flags } from '@oclif/core';
import { ACTIVITY } from '../../../server/protocol.js';
import { nextCommand } from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import { cliTexts } from '../../cli/texts.js';

export default class AccountActivity extends ServerCommand {
  static override summary = "Show your account's activity, newest first: logins, failures, resets, ...";
  static override examples = [
    '<%= config.bin %> account activity',
    '<%= config.bin %> account activity --limit 20 --json',
    { description: 'The next, older page:', command: '<%= config.bin %> account activity --before 1234' },
  ];
  static override flags = {
    limit: Flags.integer({
      summary: `How many events, at most (server default ${ACTIVITY.pageDefault}).`,
      min: 1,
      max: ACTIVITY.pageMax,
    }),
    before: Flags.integer({ summary: 'Only events older than this event id (the next page).', min: 1 }),
  };

  async run() {
    const { flags } = await this.parse(AccountActivity);
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    const page = await rest.activity({ before: flags.before, limit: flags.limit });
    const lines = page.events.map(
      (e) =>
        `${new Date(e.at).toLocaleString('sv-SE')}  ${e.type.padEnd(24)}  ${safeText(e.ip ?? '-').padEnd(15)}  ` +
        safeText(e.user_agent ?? '-'),
    );
    const t = cliTexts();
    if (lines.length === 0) lines.push(t('account.noActivity'));
    if (page.next_before !== null) {
      const limit = flags.limit ? ['--limit', String(flags.limit)] : [];
      const more = ['account', 'activity', '--before', String(page.next_before), ...limit];
      lines.push(t('account.more', { command: nextCommand(this.config.bin, more, flags) }));
    }
    this.log(lines.join('\n'));
    return { server: flags.server, ...page };
  }
}
