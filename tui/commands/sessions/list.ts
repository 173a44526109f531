import type { SessionInfo } from '../../../server/protocol.js';
import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts } from '../../cli/texts.js';

export default class SessionsList extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageSessions');
  static override summary = 'List your signed-in sessions; * marks the one in use here';
  static override description =
    'Each session shows when it began, when it was last used (updated at most once a minute), the ' +
    'address and the client it came from. End one with `sessions revoke ID`, all others with ' +
    '`sessions revoke --others`.';
  static override examples = ['<%= config.bin %> sessions', '<%= config.bin %> sessions list --json'];

  async run() {
    const { flags } = await this.parse(SessionsList);
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    const sessions = await rest.allSessions();
    const t = cliTexts();
    this.log(
      [
        `  ${t('sessions.id').padEnd(32)}  ${t('sessions.started').padEnd(16)}  ` +
          `${t('sessions.lastSeen').padEnd(16)}  ${t('sessions.address').padEnd(15)}  ${t('sessions.client')}`,
        ...sessions.map(line),
      ].join('\n'),
    );
    return { server: flags.server, sessions };
  }
}

/** Local time as YYYY-MM-DD HH:MM: the Swedish locale happens to write dates the ISO way. */
const minute = (iso: string) => new Date(iso).toLocaleString('sv-SE').slice(0, 16);

// The client string and, behind a trusted proxy, the address are whatever the other side sent.
const line = (s: SessionInfo) =>
  `${s.current ? '*' : ' '} ${s.id.padEnd(32)}  ${minute(s.created_at)}  ${minute(s.last_seen_at)}  ` +
  `${safeText(s.ip ?? '-').padEnd(15)}  ${safeText(s.user_agent ?? '-')}`;
