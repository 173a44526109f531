import { AdminCommand, cut, minute, named, stateOf, userArg } from '../../cli/admin-command.js';
import { safeText } from '../../client/safe-text.js';
import { cliTexts } from '../../cli/texts.js';

export default class AdminUser extends AdminCommand {
  static override summary = "One account's details: role, state, two-factor, last login, sessions and tokens";
  static override description = 'Admins only. The account is given by id or by username.';
  static override examples = ['<%= config.bin %> admin user alice', '<%= config.bin %> admin user 42 --json'];
  static override args = { id: userArg };

  async run() {
    const { args, flags } = await this.parse(AdminUser);
    const admin = await this.admin(flags.server);
    const id = 'id' in args.id ? args.id.id : (await this.resolve(admin, args.id)).id;
    const body = await admin.user(id);
    const u = body.user;
    const t = cliTexts();
    const never = t('admin.never');
    this.log(
      [
        `${named(u)}  ${safeText(u.email)}`,
        t('admin.user.summary', {
          role: u.role,
          state: stateOf(u),
          twoFactor: u.two_factor ? t('admin.on') : t('admin.off'),
        }),
        t('admin.user.dates', { created: minute(u.created_at), lastLogin: minute(u.last_login_at, never) }),
        '',
        body.sessions.length === 0
          ? t('admin.user.noSessions')
          : t('admin.user.sessions', { count: body.sessions.length }),
        ...body.sessions.map(
          (s) =>
            `  ${cut(s.ip, 15)}  ` +
            t('admin.user.session', { seen: minute(s.last_seen_at), expires: minute(s.expires_at) }) +
            `  ${cut(s.user_agent, 30).trimEnd()}`,
        ),
        body.tokens.length === 0
          ? t('admin.user.noTokens')
          : t('admin.user.tokens', { count: body.tokens.length }),
        ...body.tokens.map(
          (token) =>
            `  ${cut(token.name, 20)}  ${token.scopes.join(' ').padEnd(34)}  ` +
            t('admin.user.token', {
              expires: minute(token.expires_at, never),
              used: minute(token.last_used_at, never),
            }),
        ),
      ].join('\n'),
    );
    return { server: flags.server, ...body };
  }
}
