import { createRestClient } from '../client/rest.js';
import { removeSession, saveSession } from '../client/credentials.js';
import type { TuiServices } from './services.js';
import { connectSocketChat } from './socket-chat.js';

/** The TUI's services on the same REST client, credential file and socket client as the commands. */
export function liveServices(
  server: string,
  userAgent: string,
  env: NodeJS.ProcessEnv = process.env,
): TuiServices {
  const rest = (token?: string) => createRestClient({ server, token, userAgent });
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
    },
    async saveSession(login) {
      await saveSession(
        {
          server,
          token: login.token,
          expires_at: login.expires_at,
          user: login.user,
          saved_at: new Date().toISOString(),
        },
        env,
      );
    },
    async forgetSession() {
      await removeSession(server, env);
    },
    connectChat: (token) => connectSocketChat(server, token),
  };
}
