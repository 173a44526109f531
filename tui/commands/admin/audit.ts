import { Flags } from '@oclif/core';
import { ADMIN_LIMITS, type AdminAuditEvent } from '../../client/admin.js';
import { AdminCommand, cut, minute, userRefParse, type UserRef } from '../../cli/admin-command.js';
import { UsageError } from '../../cli/errors.js';
import { cliTexts } from '../../cli/texts.js';

export default class AdminAudit extends AdminCommand {
  static override summary =
    'The audit log, newest first: sign-ins, changes, and what admins and moderators did';
  static override description =
    'Admins only. Filter by the account acted on (--user, an id or username) and by type (--type, such as ' +
    'login_failed or account_disabled). The last line gives the command for the next page (--before ID).';
  static override examples = [
    '<%= config.bin %> admin audit',
    '<%= config.bin %> admin audit --user alice --type login_failed',
    '<%= config.bin %> admin audit --before 5000 --json',
  ];
  static override flags = {
    user: Flags.custom<UserRef>({
      summary: 'Only events of this account (id or username).',
      parse: userRefParse('user'),
    })(),
    type: Flags.string({
      summary: 'Only events of this type (e.g. login, role_changed).',
      parse: async (input) => {
        if (!/^[a-z_]{1,32}$/.test(input)) {
          throw new UsageError(
            '--type is an event type such as login_failed: a-z and _, at most 32',
            'invalid_field',
            {
              field: 'type',
            },
          );
        }
        return input;
      },
    }),
    before: Flags.integer({
      summary: 'Only events older than this id (the next page).',
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    }),
    limit: Flags.integer({
      summary: `Events per page, 1-${ADMIN_LIMITS.auditPageMax}.`,
      min: 1,
      max: ADMIN_LIMITS.auditPageMax,
    }),
  };

  async run() {
    const { flags } = await this.parse(AdminAudit);
    const admin = await this.admin(flags.server);
    const user_id = flags.user
      ? 'id' in flags.user
        ? flags.user.id
        : (await this.resolve(admin, flags.user)).id
      : undefined;
    const page = await admin.audit({ user_id, type: flags.type, before: flags.before, limit: flags.limit });
    const t = cliTexts();
    if (page.events.length === 0) this.log(t('admin.noEvents'));
    else this.log(page.events.map(line).join('\n'));
    if (page.next_before !== null) {
      const more = [this.config.bin, 'admin', 'audit', '--before', String(page.next_before)];
      if (user_id !== undefined) more.push('--user', String(user_id));
      if (flags.type) more.push('--type', flags.type);
      this.log(t('account.more', { command: more.join(' ') }));
    }
    return { server: flags.server, ...page };
  }
}

const line = (e: AdminAuditEvent) =>
  `${String(e.id).padStart(6)}  ${minute(e.at)}  ${cut(e.type, 26)}  ${cut(e.username ?? (e.user_id === null ? '-' : `#${e.user_id}`), 16)}  ` +
  `${e.actor ? `${cliTexts()('admin.by')} ${cut(e.actor, 16)}` : ' '.repeat(19)}  ${cut(e.ip, 15)}  ${cut(e.detail ?? '', 30).trimEnd()}`.trimEnd();
