import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { readSshConfig, settingsForHost } from './ssh-config.js';
import { formatSshLabel, parseTarget } from './target.js';

/** A private key file to try, and whether the user asked for it (then it must exist). */
export interface IdentityFile {
  path: string;
  explicit: boolean;
}

/** Where and as whom to log in, after the target, ~/.ssh/config and the options are merged. */
export interface ResolvedTarget {
  /** The host as typed, which may be a config alias. */
  alias: string;
  /** The name or address actually dialled, and looked up in known_hosts. */
  host: string;
  port: number;
  user: string;
  /** `user@host:port`, for messages. */
  label: string;
  identityFiles: IdentityFile[];
  /** ssh-agent socket, or undefined when there is none or the config says IdentitiesOnly. */
  agentSocket?: string;
  /** The file new host keys go to. */
  knownHostsFile: string;
  /** Whether they go there hashed (HashKnownHosts). */
  hashKnownHosts: boolean;
  home: string;
}

export interface TargetInput {
  target: string;
  sshPort?: number;
  identity?: string;
  knownHostsFile?: string;
  sshConfigFile?: string;
  /** Read after the user's, as ssh does; default /etc/ssh/ssh_config. */
  systemSshConfigFile?: string;
  env: Record<string, string | undefined>;
}

export const SYSTEM_SSH_CONFIG = '/etc/ssh/ssh_config';

/** OpenSSH's defaults when neither the flag nor the config names a key; missing ones are skipped. */
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * Precedence follows ssh: an explicit option beats `user@`/`:port` in the target, which beats
 * ~/.ssh/config, which beats the system's ssh_config (where Debian sets HashKnownHosts), which
 * beats the defaults.
 */
export function resolveTarget(input: TargetInput): ResolvedTarget {
  const { env } = input;
  const home = env.HOME || homedir();
  const localUser = env.USER || env.LOGNAME || userInfo().username;
  const spec = parseTarget(input.target);
  const configFile = input.sshConfigFile ?? join(home, '.ssh', 'config');
  const config = settingsForHost(
    [
      ...readSshConfig(configFile, { home, required: input.sshConfigFile !== undefined }),
      ...readSshConfig(input.systemSshConfigFile ?? SYSTEM_SSH_CONFIG, { home, optional: true }),
    ],
    spec.host,
  );

  const host = config.hostName ? expandTokens(config.hostName, { h: spec.host, n: spec.host }) : spec.host;
  const port = input.sshPort ?? spec.port ?? config.port ?? 22;
  const user = spec.user ?? config.user ?? localUser;
  const tokens = {
    d: home,
    u: localUser,
    r: user,
    h: host,
    p: String(port),
    n: spec.host,
  };
  // Paths from the config are relative to ~/.ssh, paths from flags to the working directory.
  const fromConfig = (value: string) => expandPath(value, home, tokens, join(home, '.ssh'));
  const fromFlag = (value: string) => expandPath(value, home, tokens, process.cwd());

  const identityFiles: IdentityFile[] = [];
  if (input.identity) identityFiles.push({ path: fromFlag(input.identity), explicit: true });
  for (const file of config.identityFiles) identityFiles.push({ path: fromConfig(file), explicit: false });
  if (identityFiles.length === 0) {
    for (const name of DEFAULT_IDENTITIES)
      identityFiles.push({ path: join(home, '.ssh', name), explicit: false });
  }

  const knownHostsFile = input.knownHostsFile
    ? fromFlag(input.knownHostsFile)
    : config.userKnownHostsFile
      ? fromConfig(config.userKnownHostsFile)
      : join(home, '.ssh', 'known_hosts');

  return {
    alias: spec.host,
    host,
    port,
    user,
    label: formatSshLabel(user, host, port),
    identityFiles,
    agentSocket: config.identitiesOnly ? undefined : env.SSH_AUTH_SOCK || undefined,
    knownHostsFile,
    hashKnownHosts: config.hashKnownHosts ?? false,
    home,
  };
}

/**
 * A file named on the command line, where resolveTarget will look for it: `~/` is the home
 * directory, a relative path is relative to the working directory. Undefined when the name holds
 * `%` tokens, which only the target gives a value.
 */
export function commandLinePath(value: string, env: Record<string, string | undefined>): string | undefined {
  if (value.includes('%')) return undefined;
  const home = env.HOME || homedir();
  return expandPath(value, home, {}, process.cwd());
}

/** `~/x` and `%d/x` to absolute paths. */
function expandPath(value: string, home: string, tokens: Record<string, string>, base: string): string {
  const withHome = value === '~' ? home : value.startsWith('~/') ? join(home, value.slice(2)) : value;
  const expanded = expandTokens(withHome, tokens);
  return isAbsolute(expanded) ? expanded : resolve(base, expanded);
}

function expandTokens(value: string, tokens: Record<string, string>): string {
  return value.replace(/%(.)/g, (whole, letter: string) =>
    letter === '%' ? '%' : (tokens[letter] ?? whole),
  );
}
