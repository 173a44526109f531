import { Args, Flags } from '@oclif/core';
import { ServerCommand } from '../../cli/server-command.js';
import { UsageError } from '../../cli/errors.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, englishTexts, serverOr } from '../../cli/texts.js';

export default class SessionsRevoke extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageSessions');
  static override summary = 'Sign out one of your sessions, or every other one with --others';
  static override description =
    'Its token stops working at once and its live chat connections are closed. Revoking the session in ' +
    'use here signs this machine out too. Ids come from `sessions`.';
  static override examples = [
    '<%= config.bin %> sessions revoke 3f2a9c0d5e7b4a1c9d8e7f6a5b4c3d2e',
    { description: 'Log out everywhere else:', command: '<%= config.bin %> sessions revoke --others' },
  ];
  static override args = {
    id: Args.string({ description: 'The id of the session, as `sessions` lists it.' }),
  };
  static override flags = {
    others: Flags.boolean({ summary: 'Sign out every session except the one in use here.' }),
  };

  async run() {
    const { args, flags } = await this.parse(SessionsRevoke);
    if (Boolean(args.id) === Boolean(flags.others)) {
      const usage = this.usageLine();
      throw new UsageError((t) =>
        flags.others ? t('sessions.idAndOthers', { usage }) : t('sessions.idOrOthers', { usage }),
      );
    }
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    if (flags.others) {
      const { message, revoked } = await rest.revokeOtherSessions();
      const t = cliTexts();
      const ours = revoked === 0 ? t('sessions.noOthers') : t('sessions.othersEnded', { count: revoked });
      this.log(serverOr(message, ours));
      return { message, server: flags.server, revoked };
    }
    const id = args.id!;
    const wasCurrent = (await rest.allSessions()).some((s) => s.id === id && s.current);
    await rest.revokeSession(id);
    // That was the stored session: its token is dead, so the file goes as after a logout.
    const { removeSession } = await this.credentials();
    const removed = wasCurrent && active.source === 'file' ? await removeSession(flags.server) : false;
    const said: Words = (t) => (wasCurrent ? t('sessions.endedHere', { id }) : t('sessions.ended', { id }));
    const message = said(englishTexts);
    this.log(said(cliTexts()));
    return { message, server: flags.server, id, current: wasCurrent, removed_file: removed };
  }
}
