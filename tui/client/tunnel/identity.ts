import { readFileSync } from 'node:fs';
import { fileProblem, TunnelError } from './errors.js';
import type { IdentityFile } from './resolve-target.js';
import { utils, type ParsedKey } from './ssh2.js';

export type LoadedIdentity = { key: ParsedKey } | { skipped: string | undefined };

export interface PassphraseSource {
  ask?: (file: string) => Promise<string>;
  /** Wraps the question so the connect timeout does not run while the user types. */
  whileAsking: <T>(question: Promise<T>) => Promise<T>;
  /** Decrypted keys, so a reconnection does not ask again. */
  cache: Map<string, ParsedKey>;
}

const MAX_PASSPHRASE_TRIES = 3;

/**
 * Fails fast on a key the user named that cannot work (missing, a .pub, not a key), before any
 * connection or passphrase question. An encrypted key is fine here: it is unlocked when needed.
 */
export function checkIdentityFile(path: string): void {
  const parsed = parse(read(path), undefined);
  if (parsed instanceof Error) {
    if (isEncrypted(parsed)) return;
    throw new TunnelError(
      'identity_unreadable',
      `${path} is not a private key ssh can use (${parsed.message})`,
    );
  }
  if (!parsed.isPrivateKey()) {
    throw new TunnelError(
      'identity_unreadable',
      `${path} is a public key; pass the private key file (without .pub)`,
    );
  }
}

/**
 * Loads a private key for one login attempt; never throws: a key that cannot be used is skipped
 * with a reason the final error can quote (undefined when there is nothing worth saying, such as
 * a default key file that does not exist).
 */
export async function loadIdentity(
  file: IdentityFile,
  passphrases: PassphraseSource,
): Promise<LoadedIdentity> {
  const cached = passphrases.cache.get(file.path);
  if (cached) return { key: cached };
  let data: Buffer;
  try {
    data = read(file.path);
  } catch (err) {
    return { skipped: file.explicit ? (err as Error).message : undefined };
  }
  const plain = parse(data, undefined);
  if (!(plain instanceof Error)) {
    return plain.isPrivateKey() ? { key: plain } : { skipped: 'a public key, not a private one' };
  }
  if (!isEncrypted(plain)) return { skipped: `unreadable key (${plain.message})` };
  if (!passphrases.ask) {
    return { skipped: 'encrypted, and no terminal to ask for its passphrase; ssh-add it to the agent' };
  }

  for (let attempt = 1; attempt <= MAX_PASSPHRASE_TRIES; attempt++) {
    let passphrase: string;
    try {
      passphrase = await passphrases.whileAsking(passphrases.ask(file.path));
    } catch {
      return { skipped: 'passphrase not given' };
    }
    // ssh treats an empty answer as "skip this key".
    if (!passphrase) return { skipped: 'passphrase not given' };
    const unlocked = parse(data, passphrase);
    if (!(unlocked instanceof Error)) {
      passphrases.cache.set(file.path, unlocked);
      return { key: unlocked };
    }
  }
  return { skipped: 'wrong passphrase' };
}

function read(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TunnelError('identity_unreadable', `cannot read identity file ${path}: ${fileProblem(err)}`);
  }
}

function parse(data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  const parsed = utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
  // OpenSSH's format can hold several keys; ssh only ever writes one.
  if (Array.isArray(parsed)) return parsed[0] ?? new Error('no key in file');
  return parsed;
}

function isEncrypted(err: Error): boolean {
  return /no passphrase given/i.test(err.message);
}
