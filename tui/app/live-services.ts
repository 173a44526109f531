import { createRestClient } from '../client/rest.js';
import { sessionStore, type SessionStore } from '../client/credentials.js';
import type { TuiServices } from './services.js';
import { connectSocketChat } from './socket-chat.js';

/** The TUI's services on the same REST client, credential file and socket client as the commands. */
export function liveServices(options: {
  /** The server as the user named it: shown, and the key of the credential file. */
  server: string;
  /** Where to connect, when that differs (a local tunnel's URL with --via). */
  dial?: string;
  userAgent: string;
  env?: NodeJS.ProcessEnv;
  /** Where sessions are filed: with --via, under the server behind the tunnel. */
  sessions?: SessionStore;
}): TuiServices {
  const { server, userAgent, env = process.env, sessions = sessionStore() } = options;
  const dial = options.dial ?? server;
  const rest = (token?: string) => createRestClient({ server: dial, token, userAgent });
  const anonymous = rest();
  return {
    serverUrl: server,
    rest: {
      signup: (body) => anonymous.signup(body),
      verifyEmail: (body) => anonymous.verifyEmail(body),
      resendVerification: (email) => anonymous.resendVerification({ email }),
      login: (body) => anonymous.login(body),
      me: (token) => rest(token).me(),
      logout: (token) => rest(token).logout(),
      listSessions: async (token) => (await rest(token).listSessions()).sessions,
      revokeSession: (token, id) => rest(token).revokeSession(id),
      revokeOtherSessions: async (token) => {
        await rest(token).revokeOtherSessions();
      },
      changePassword: (token, current, password) =>
        rest(token).changePassword({ current_password: current, password }),
    },
    async saveSession(login) {
      const saved_at = new Date().toISOString();
      await sessions.saveSession(
        { server, token: login.token, expires_at: login.expires_at, user: login.user, saved_at },
        env,
      );
    },
    async forgetSession() {
      await sessions.removeSession(server, env);
    },
    connectChat: (token) => connectSocketChat(dial, token),
  };
}
