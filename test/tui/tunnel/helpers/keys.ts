import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export interface KeyPair {
  /** OpenSSH private key file text. */
  privateKey: string;
  /** `ssh-ed25519 AAAA... comment`, an authorized_keys / .pub line. */
  publicKey: string;
  /** The public key blob, as it travels in SSH and sits in known_hosts. */
  blob: Buffer;
}

/** A fresh key, encrypted when a passphrase is given (few bcrypt rounds: tests stay fast). */
export function makeKeyPair(options: { passphrase?: string; comment?: string } = {}): KeyPair {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', {
    comment: options.comment ?? 'mux1-test',
    ...(options.passphrase ? { passphrase: options.passphrase, cipher: 'aes256-ctr', rounds: 2 } : {}),
  });
  const parsed = ssh2.utils.parseKey(pair.public);
  if (parsed instanceof Error) throw parsed;
  return { privateKey: pair.private, publicKey: pair.public, blob: parsed.getPublicSSH() };
}

/** Writes the private key (0600, as ssh insists) and its .pub; returns the private key path. */
export function writeKeyPair(dir: string, name: string, pair: KeyPair): string {
  const path = join(dir, name);
  writeFileSync(path, pair.privateKey, { mode: 0o600 });
  writeFileSync(`${path}.pub`, pair.publicKey + '\n');
  return path;
}
