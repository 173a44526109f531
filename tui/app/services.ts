import type { ChatUser, LoginBody, MfaRequiredBody } from '../../server/protocol.js';
import { credentialsPath, sessionStore, type SessionStore } from '../client/credentials.js';
import { createRestClient, type RestClient } from '../client/rest.js';
import type { ChatConnection } from './chat-client.js';
import { connectSocketChat } from './socket-chat.js';

/** Who the chat is for: the session token and its user. */
export interface ChatSession {
  token: string;
  user: ChatUser;
}

/**
 * What the TUI needs from the outside world: the REST client, credential file and socket client
 * that the commands use too. Tests build it against a real server. Failures are Mux1Errors.
 */
export interface TuiServices {
  /** The server as the user named it: shown, and the key of the credential file. */
  serverUrl: string;
  /** The REST client, signed in with `token` when one is given. */
  rest(token?: string): RestClient;
  /** Keeps the session in the credential file the commands use; rejects when it cannot. */
  saveSession(login: LoginBody): Promise<void>;
  forgetSession(): Promise<void>;
  /** Opens a live chat connection signed in with the token. */
  connectChat(token: string): ChatConnection;
  /**
   * Where the chat keeps a user's unsent messages (`outbox`) and sent lines (`recall`) on this
   * server: beside the credential file. Without it they live as long as the screen does.
   */
  localFile?(kind: 'outbox' | 'recall', userId: number): string;
  /** How device login waits between polls; tests shorten it. Unset: the server's interval. */
  deviceWait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Whether a message that mentions the user rings the terminal's bell (MUX1_BELL=0: no). */
  bell?: boolean;
  /**
   * SSH-key login through the ssh-agent (SSH_AUTH_SOCK), when there is one: how many keys of an
   * accepted kind it holds, and a login that tries them in turn (undefined: none is the account's).
   */
  sshAgent?: {
    keys(): Promise<number>;
    login(username: string): Promise<LoginBody | MfaRequiredBody | undefined>;
  };
}

export function liveServices(options: {
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
  const socket = env.SSH_AUTH_SOCK;
  // ssh2 is loaded only when an agent is there to ask.
  const signers = async () => (await import('../client/ssh-sign.js')).agentSigners(socket!);
  return {
    serverUrl: server,
    rest: (token) => createRestClient({ server: dial, token, userAgent }),
    async saveSession(login) {
      await sessions.saveLogin(server, login, env);
    },
    async forgetSession() {
      await sessions.removeSession(server, env);
    },
    connectChat: (token) => connectSocketChat(dial, token),
    bell: env.MUX1_BELL !== '0',
    sshAgent: socket
      ? {
          keys: async () => (await signers()).length,
          async login(username) {
            const { loginWithSshKeys } = await import('../client/ssh-sign.js');
            const rest = createRestClient({ server: dial, userAgent });
            // The signature names the server as the person named it, not the tunnel's end.
            return loginWithSshKeys(rest, { username, serverUrl: server, signers: await signers() });
          },
        }
      : undefined,
    localFile: (kind, userId) =>
      credentialsPath(server, env).replace(/\.json$/, `.user-${userId}.${kind}.json`),
  };
}
