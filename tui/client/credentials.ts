import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientDefaults } from '../../config/client.js';
import type { LoginBody, PublicUser } from '../../server/protocol.js';
import { Mux1Error } from './errors.js';
import { normalizeServerUrl } from './server-url.js';
import { openTunnelAt } from './tunnel/open-tunnels.js';

/** What a login leaves behind: a session token, never a password. */
export interface StoredSession {
  server: string;
  token: string;
  expires_at: string;
  user: PublicUser;
  saved_at: string;
  /** The server it belongs to (see sessionKey); written by saveSession, checked when read. */
  key?: string;
}

export class CredentialsError extends Mux1Error {
  override name = 'CredentialsError';
  constructor(message: string) {
    super('corrupt_credentials', message);
  }
}

/**
 * Which server a session belongs to. A server reached over SSH is named by what is behind the
 * tunnel - its URL as the SSH host sees it, and `user@host:port` of the SSH connection - not by the
 * tunnel's local port, which changes with every tunnel and may be reused by another one: so a
 * session outlives its tunnel, and is never sent through a tunnel to some other server.
 * `via` is the SSH host of a --via tunnel; without it, a URL that is a running `mux1 tunnel`'s
 * port (see open-tunnels.ts) stands for the server behind that tunnel.
 */
export function sessionKey(server: string, env: NodeJS.ProcessEnv = process.env, via?: string): string {
  if (via) return `${server} via ssh://${via}`;
  const tunnel = openTunnelAt(clientDefaults.configDir(env), server);
  if (!tunnel) return server;
  const behind = new URL(server);
  behind.host = tunnel.remote;
  return `${normalizeServerUrl(behind.href)} via ssh://${tunnel.ssh_host}`;
}

/**
 * One file per server, so being logged in to a staging server does not log you out of
 * production. The name is readable for a person listing the folder, and the hash keeps two
 * servers that read alike (a path, a port, another SSH host) from sharing a file.
 */
export function credentialsPath(server: string, env: NodeJS.ProcessEnv = process.env, via?: string): string {
  return pathFor(sessionKey(server, env, via), env);
}

function pathFor(key: string, env: NodeJS.ProcessEnv): string {
  const [reached = key, sshHost] = key.split(' via ssh://');
  const url = new URL(reached);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const readable = `${url.hostname}-${port}${sshHost ? `-via-${sshHost}` : ''}`.replace(
    /[^a-zA-Z0-9.-]/g,
    '_',
  );
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return join(clientDefaults.configDir(env), `session-${readable}-${hash}.json`);
}

export async function loadSession(
  server: string,
  env: NodeJS.ProcessEnv = process.env,
  via?: string,
): Promise<StoredSession | undefined> {
  const key = sessionKey(server, env, via);
  const path = pathFor(key, env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let session: StoredSession;
  try {
    session = JSON.parse(text) as StoredSession;
    if (typeof session.token !== 'string' || typeof session.user?.username !== 'string') throw new Error();
  } catch {
    throw new CredentialsError(`The credential file ${path} is damaged; log in again to replace it`);
  }
  // Files from before keys were written hold a plain URL, which is their key.
  return (session.key ?? session.server) === key ? session : undefined;
}

/**
 * Writes to a private temporary file and renames it over the old one, so a reader never sees
 * half a file and the token is never readable by others, not even for a moment.
 */
export async function saveSession(
  session: StoredSession,
  env: NodeJS.ProcessEnv = process.env,
  via?: string,
): Promise<string> {
  const dir = clientDefaults.configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = sessionKey(session.server, env, via);
  const path = pathFor(key, env);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify({ ...session, key }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    // mode above is filtered by the umask; say it again so 0600 holds whatever the umask is.
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return path;
}

/** Keeps what a login answered as the session for `server`: the CLI and the TUI both save it so. */
export function saveLogin(
  server: string,
  login: LoginBody,
  env: NodeJS.ProcessEnv = process.env,
  via?: string,
): Promise<string> {
  const { token, expires_at, user } = login;
  return saveSession({ server, token, expires_at, user, saved_at: new Date().toISOString() }, env, via);
}

export async function removeSession(
  server: string,
  env: NodeJS.ProcessEnv = process.env,
  via?: string,
): Promise<boolean> {
  const path = credentialsPath(server, env, via);
  try {
    await rm(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export interface ActiveToken {
  token: string;
  /** `env` when MUX1_TOKEN supplied it, so callers do not touch a file that did not supply it. */
  source: 'env' | 'file';
  session?: StoredSession;
}

/** MUX1_TOKEN wins over the stored session, for CI jobs and containers. */
export async function activeToken(
  server: string,
  env: NodeJS.ProcessEnv = process.env,
  via?: string,
): Promise<ActiveToken | undefined> {
  const fromEnv = env.MUX1_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const session = await loadSession(server, env, via);
  return session ? { token: session.token, source: 'file', session } : undefined;
}

/** The session functions for one way of reaching servers: directly, or over SSH via `via`. */
export interface SessionStore {
  loadSession(server: string, env?: NodeJS.ProcessEnv): Promise<StoredSession | undefined>;
  saveSession(session: StoredSession, env?: NodeJS.ProcessEnv): Promise<string>;
  saveLogin(server: string, login: LoginBody, env?: NodeJS.ProcessEnv): Promise<string>;
  removeSession(server: string, env?: NodeJS.ProcessEnv): Promise<boolean>;
  activeToken(server: string, env?: NodeJS.ProcessEnv): Promise<ActiveToken | undefined>;
}

/** `via`: the `user@host:port` of a --via tunnel; the sessions are then those of the server behind it. */
export function sessionStore(via?: string): SessionStore {
  return {
    loadSession: (server, env) => loadSession(server, env, via),
    saveSession: (session, env) => saveSession(session, env, via),
    saveLogin: (server, login, env) => saveLogin(server, login, env, via),
    removeSession: (server, env) => removeSession(server, env, via),
    activeToken: (server, env) => activeToken(server, env, via),
  };
}
