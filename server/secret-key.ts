import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServerConfig } from '../config/index.js';
import type { Logger } from './log.js';
import { parseDatabaseUrl } from './store/db.js';

/*
 * The server's one secret key (SECRET_KEY): it encrypts two-factor secrets (AES-256-GCM) and keys
 * the hashes of mailed and backup codes (HMAC-SHA-256), so a copy of the database alone opens
 * neither. Unset, a SQLite server makes one on first start and keeps it in a file beside the
 * database; PostgreSQL needs it set, since every process sharing the database must hold the same.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Prefix of a sealed value, so a later format can be told apart from this one. */
const VERSION = 'v1';

/** The key file of a SQLite database at `path`. */
export const keyFileFor = (databasePath: string): string => `${databasePath}.secret-key`;

/** Where the key comes from, once the server starts; throws one line an operator can act on. */
export function resolveSecretKey(
  config: Pick<ServerConfig, 'secretKey' | 'databaseUrl'>,
  log: Logger,
): Buffer {
  if (config.secretKey) return Buffer.from(config.secretKey, 'base64');
  const target = parseDatabaseUrl(config.databaseUrl);
  if (target.client === 'pg') {
    throw new Error(
      'SECRET_KEY is required with PostgreSQL: every server process must share it (make one with: openssl rand -base64 32)',
    );
  }
  if (target.connection === ':memory:') {
    // Nothing outlives the process, so neither need the key.
    return randomBytes(KEY_BYTES);
  }
  const path = keyFileFor(target.connection);
  return readKeyFile(path, log) ?? createKeyFile(path, log);
}

function readKeyFile(path: string, log: Logger): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`secret key file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`secret key file ${path}: does not hold ${KEY_BYTES} bytes in base64`);
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    log.warn({ path }, `secret key file ${path} is readable by other users; chmod 600 it`);
  }
  return key;
}

function createKeyFile(path: string, log: Logger): Buffer {
  const key = randomBytes(KEY_BYTES);
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx': of two processes starting at once, one writes and the other reads what it wrote.
    writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(path, log)!;
    throw new Error(`secret key file ${path}: cannot be written (${(err as NodeJS.ErrnoException).code})`);
  }
  // The umask may have taken bits away, never added them; this only makes sure.
  chmodSync(path, 0o600);
  log.info(
    { path },
    `made a new secret key in ${path}; back it up with the database (without it, two-factor sign-in cannot be checked)`,
  );
  return key;
}

/** Raised when a sealed value does not open: another key, or a changed value. */
export class KeyMismatchError extends Error {
  override name = 'KeyMismatchError';
}

/**
 * What the rest of the server does with the key. `load` runs when the server starts (it may
 * write the key file); using it before that is a bug.
 */
export class ServerKey {
  private key: Buffer | undefined;

  load(key: Buffer): void {
    this.key = key;
  }

  private get bytes(): Buffer {
    if (!this.key) throw new Error('the server key is used before the server started');
    return this.key;
  }

  /**
   * AES-256-GCM with a random nonce. `context` (e.g. `totp:42`) is authenticated with it, so a
   * value copied into another user's row does not open there.
   */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.bytes, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const [version, data] = sealed.split(':');
    const raw = Buffer.from(data ?? '', 'base64url');
    if (version !== VERSION || raw.length < IV_BYTES + TAG_BYTES) {
      throw new KeyMismatchError('not a sealed value');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.bytes, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new KeyMismatchError('the value does not open with this key');
    }
  }

  /** HMAC-SHA-256 in hex: a hash that someone holding only the database cannot recompute. */
  mac(text: string): string {
    return createHmac('sha256', this.bytes).update(text).digest('hex');
  }
}
