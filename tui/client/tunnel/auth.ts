import { homedir } from 'node:os';
import { loadIdentity, type PassphraseSource } from './identity.js';
import type { IdentityFile } from './resolve-target.js';
import type { AnyAuthMethod, AuthHandlerMiddleware } from './ssh2.js';

export interface AuthPlanOptions {
  username: string;
  agentSocket?: string;
  identityFiles: readonly IdentityFile[];
  passphrases: PassphraseSource;
  home?: string;
}

/** One connection's login: the handler ssh2 calls, and what to say if every method fails. */
export interface AuthPlan {
  handler: AuthHandlerMiddleware;
  /** ssh2 reports agent trouble as an 'error' event; the plan records it and moves on. */
  noteAgentError(message: string): void;
  /** `tried: ssh-agent, ~/.ssh/id_ed25519 (wrong passphrase); the host offers: publickey`. */
  describe(): string;
}

type Candidate = { kind: 'agent'; socket: string } | { kind: 'file'; file: IdentityFile };

/**
 * Public-key login only, in ssh's order: the agent's keys first (no passphrase to type), then the
 * key files. A key is loaded, and its passphrase asked for, only when its turn comes.
 */
export function planAuthentication(options: AuthPlanOptions): AuthPlan {
  const candidates: Candidate[] = [
    ...(options.agentSocket ? [{ kind: 'agent' as const, socket: options.agentSocket }] : []),
    ...options.identityFiles.map((file) => ({ kind: 'file' as const, file })),
  ];
  const home = options.home ?? homedir();
  const tried: string[] = [];
  let agentNote: string | undefined;
  let hostMethods: string[] | undefined;
  let next = 0;

  const nextMethod = async (): Promise<AnyAuthMethod | false> => {
    while (next < candidates.length) {
      const candidate = candidates[next++]!;
      if (candidate.kind === 'agent') {
        tried.push('ssh-agent');
        return { type: 'agent', username: options.username, agent: candidate.socket };
      }
      const loaded = await loadIdentity(candidate.file, options.passphrases);
      const shown = shortenHome(candidate.file.path, home);
      if ('key' in loaded) {
        tried.push(shown);
        return { type: 'publickey', username: options.username, key: loaded.key };
      }
      if (loaded.skipped) tried.push(`${shown} (${loaded.skipped})`);
    }
    return false;
  };

  return {
    handler: (methodsLeft, _partialSuccess, done) => {
      // ssh2 passes null before the first attempt, then what the host still accepts.
      if (methodsLeft) hostMethods = methodsLeft;
      const finish = done as (method: AnyAuthMethod | false) => void;
      if (hostMethods && !hostMethods.includes('publickey')) return finish(false);
      nextMethod().then(finish, () => finish(false));
    },
    noteAgentError(message) {
      agentNote = message.charAt(0).toLowerCase() + message.slice(1);
    },
    describe() {
      const list = tried.map((t) => (t === 'ssh-agent' && agentNote ? `ssh-agent (${agentNote})` : t));
      const what = list.length
        ? `tried: ${list.join(', ')}`
        : 'no key to try: no ssh-agent (SSH_AUTH_SOCK is unset) and no key file in ~/.ssh';
      return hostMethods ? `${what}; the host offers: ${hostMethods.join(', ')}` : what;
    },
  };
}

function shortenHome(path: string, home: string): string {
  return path.startsWith(home + '/') ? '~' + path.slice(home.length) : path;
}
