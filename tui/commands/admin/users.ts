import { Flags } from '@oclif/core';
import { ADMIN_LIMITS, type AdminUser } from '../../client/admin.js';
import { AdminCommand, cut, day, stateOf } from '../../cli/admin-command.js';
import { UsageError } from '../../cli/errors.js';
import { cliTexts } from '../../cli/texts.js';

export default class AdminUsers extends AdminCommand {
  static override summary =
    'List accounts, newest first, or those whose username or email starts with --query';
  static override description =
    'Admins only, signed in with `mux1 login` (a personal access token is refused). A page holds --limit ' +
    'accounts (1-100, default 50); the last line gives the command for the next page (--before ID).';
  static override examples = [
    '<%= config.bin %> admin users',
    '<%= config.bin %> admin users --query ali --limit 10',
    '<%= config.bin %> admin users --before 1200 --json',
  ];
  static override flags = {
    query: Flags.string({
      summary: `The start of a username or email (case-insensitive, at most ${ADMIN_LIMITS.queryMax} characters).`,
      parse: async (input) => {
        if (input.length > ADMIN_LIMITS.queryMax) {
          const max = ADMIN_LIMITS.queryMax;
          throw new UsageError((t) => t('admin.users.queryTooLong', { max }), 'invalid_field', {
            field: 'query',
          });
        }
        if (/\p{Cc}/u.test(input)) {
          throw new UsageError((t) => t('admin.users.queryControl'), 'invalid_field', { field: 'query' });
        }
        return input;
      },
    }),
    limit: Flags.integer({
      summary: 'Accounts per page, 1-100.',
      min: ADMIN_LIMITS.pageMin,
      max: ADMIN_LIMITS.pageMax,
    }),
    before: Flags.integer({
      summary: 'Only accounts older than this id (the next page).',
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    }),
  };

  async run() {
    const { flags } = await this.parse(AdminUsers);
    const admin = await this.admin(flags.server);
    const page = await admin.users({
      query: flags.query || undefined,
      limit: flags.limit,
      before: flags.before,
    });
    const t = cliTexts();
    if (page.users.length === 0) {
      this.log(flags.query ? t('admin.users.noMatch', { query: flags.query }) : t('admin.users.none'));
    } else {
      const idWidth = Math.max(2, ...page.users.map((u) => String(u.id).length));
      this.log(
        [
          `${t('admin.users.id').padEnd(idWidth)}  ${t('admin.users.username').padEnd(20)}  ` +
            `${t('admin.users.email').padEnd(28)}  ${t('admin.users.role').padEnd(9)}  ` +
            `${t('admin.users.state').padEnd(11)}  ${t('admin.users.twoFactor').padEnd(3)}  ` +
            `${t('admin.users.created').padEnd(10)}  ${t('admin.users.lastLogin')}`,
          ...page.users.map((u) => line(u, idWidth)),
        ].join('\n'),
      );
    }
    if (page.next_before !== null) {
      const more = [this.config.bin, 'admin', 'users', '--before', String(page.next_before)];
      if (flags.query) more.push('--query', `'${flags.query.replaceAll("'", `'\\''`)}'`);
      if (flags.limit) more.push('--limit', String(flags.limit));
      this.log(t('account.more', { command: more.join(' ') }));
    }
    return { server: flags.server, ...page };
  }
}

const line = (u: AdminUser, idWidth: number) => {
  const t = cliTexts();
  return (
    `${String(u.id).padEnd(idWidth)}  ${cut(u.username, 20)}  ${cut(u.email, 28)}  ${u.role.padEnd(9)}  ` +
    `${stateOf(u).padEnd(11)}  ${(u.two_factor ? t('admin.on') : t('admin.off')).padEnd(3)}  ` +
    `${day(u.created_at)}  ${day(u.last_login_at, t('admin.never'))}`
  );
};
