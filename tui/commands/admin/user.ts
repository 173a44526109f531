import { AdminCommand, cut, minute, named, stateOf, userArg } from '../../cli/admin-command.js';
import { safeText } from '../../client/safe-text.js';

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
    this.log(
      [
        `${named(u)}  ${safeText(u.email)}`,
        `role ${u.role}, ${stateOf(u)}, two-factor ${u.two_factor ? 'on' : 'off'}`,
        `created ${minute(u.created_at)}, last login ${minute(u.last_login_at, 'never')}`,
        '',
        body.sessions.length === 0 ? 'No live sessions.' : `Sessions (${body.sessions.length}):`,
        ...body.sessions.map(
          (s) =>
            `  ${cut(s.ip, 15)}  seen ${minute(s.last_seen_at)}  expires ${minute(s.expires_at)}  ${cut(s.user_agent, 30).trimEnd()}`,
        ),
        body.tokens.length === 0 ? 'No tokens.' : `Tokens (${body.tokens.length}):`,
        ...body.tokens.map(
          (t) =>
            `  ${cut(t.name, 20)}  ${t.scopes.join(' ').padEnd(34)}  expires ${minute(t.expires_at, 'never')}  used ${minute(t.last_used_at, 'never')}`,
        ),
      ].join('\n'),
    );
    return { server: flags.server, ...body };
  }
}
