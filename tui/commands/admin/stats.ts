import { Flags } from '@oclif/core';
import { ADMIN_LIMITS } from '../../client/admin.js';
import { AdminCommand } from '../../cli/admin-command.js';
import { cliTexts } from '../../cli/texts.js';

export default class AdminStats extends AdminCommand {
  static override summary =
    'Usage by day: signups, verifications, active users, logins and messages, and totals';
  static override description = 'Admins only. Days are UTC, oldest first, today last.';
  static override examples = [
    '<%= config.bin %> admin stats',
    '<%= config.bin %> admin stats --days 7 --json',
  ];
  static override flags = {
    days: Flags.integer({
      summary: `How many days, ${ADMIN_LIMITS.statsDaysMin}-${ADMIN_LIMITS.statsDaysMax} (default 30).`,
      min: ADMIN_LIMITS.statsDaysMin,
      max: ADMIN_LIMITS.statsDaysMax,
    }),
  };

  async run() {
    const { flags } = await this.parse(AdminStats);
    const admin = await this.admin(flags.server);
    const stats = await admin.stats({ days: flags.days });
    const totals = stats.totals;
    const t = cliTexts();
    const cols = ['signups', 'verifications', 'active_users', 'logins', 'failed_logins', 'messages'] as const;
    const heads = [
      t('admin.stats.signups'),
      t('admin.stats.verified'),
      t('admin.stats.active'),
      t('admin.stats.logins'),
      t('admin.stats.failed'),
      t('admin.stats.messages'),
    ];
    this.log(
      [
        `${t('admin.stats.date').padEnd(10)}  ${heads.map((h) => h.padStart(9)).join('')}`,
        ...stats.days.map((d) => `${d.date}  ${cols.map((c) => String(d[c]).padStart(9)).join('')}`),
        '',
        t('admin.stats.totals', {
          users: totals.users,
          verified: totals.verified_users,
          disabled: totals.disabled_users,
          admins: totals.admins,
          moderators: totals.moderators,
          messages: totals.messages,
          sessions: totals.live_sessions,
          sockets: totals.connected_sockets,
        }),
      ].join('\n'),
    );
    return { server: flags.server, ...stats };
  }
}
