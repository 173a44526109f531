import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientDefaults } from '../../config/client.js';
import type { PublicUser } from '../../server/protocol.js';

/** What a login leaves behind: a session token, never a password. */
export interface StoredSession {
  server: string;
  token: string;
  expires_at: string;
  user: PublicUser;
  saved_at: string;
}

export class CredentialsError extends Error {
  override name = 'CredentialsError';
  readonly code = 'corrupt_credentials';
}

/**
 * One file per server, so being logged in to a staging server does not log you out of
 * production. The name is readable for a person listing the folder, and the hash keeps two
 * URLs that read alike (a path, a port) from sharing a file.
 */
export function credentialsPath(server: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(server);
  const readable = `${url.hostname}-${url.port || (url.protocol === 'https:' ? '443' : '80')}`.replace(
    /[^a-zA-Z0-9.-]/g,
    '_',
  );
  const hash = createHash('sha256').update(server).digest('hex').slice(0, 10);
  return join(clientDefaults.configDir(env), `session-${readable}-${hash}.json`);
}

export async function loadSession(
  server: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StoredSession | undefined> {
  const path = credentialsPath(server, env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const session = JSON.parse(text) as StoredSession;
    if (typeof session.token !== 'string' || typeof session.user?.username !== 'string') throw new Error();
    return session;
  } catch {
    throw new CredentialsError(`The credential file ${path} is damaged; log in again to replace it`);
  }
}

/**
 * Writes to a private temporary file and renames it over the old one, so a reader never sees
 * half a file and the token is never readable by others, not even for a moment.
 */
export async function saveSession(
  session: StoredSession,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dir = clientDefaults.configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(session.server, env);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(session, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    // mode above is filtered by the umask; say it again so 0600 holds whatever the umask is.
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return path;
}

export async function removeSession(server: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const path = credentialsPath(server, env);
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

/** MUX1_TOKEN wins over the stored session (PROTOCOL.md), for CI jobs and containers. */
export async function activeToken(
  server: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ActiveToken | undefined> {
  const fromEnv = env.MUX1_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const session = await loadSession(server, env);
  return session ? { token: session.token, source: 'file', session } : undefined;
}
