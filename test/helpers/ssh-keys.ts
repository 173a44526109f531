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
  // ssh2 1.17 now and then writes an ed25519 key it cannot read back ("Malformed OpenSSH public
  // key", about 1 in 250): such a key is useless to a test, so draw another.
  for (let attempt = 1; ; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', {
      comment: options.comment ?? 'mux1-test',
      ...(options.passphrase ? { passphrase: options.passphrase, cipher: 'aes256-ctr', rounds: 2 } : {}),
    });
    const parsed = ssh2.utils.parseKey(pair.public);
    const privateOk = !(ssh2.utils.parseKey(pair.private, options.passphrase) instanceof Error);
    if (!(parsed instanceof Error) && privateOk) {
      return { privateKey: pair.private, publicKey: pair.public, blob: parsed.getPublicSSH() };
    }
    if (attempt === 5)
      throw parsed instanceof Error ? parsed : new Error('ssh2 made an unreadable private key');
  }
}

/** Writes the private key (0600, as ssh insists) and its .pub; returns the private key path. */
export function writeKeyPair(dir: string, name: string, pair: KeyPair): string {
  const path = join(dir, name);
  writeFileSync(path, pair.privateKey, { mode: 0o600 });
  writeFileSync(`${path}.pub`, pair.publicKey + '\n');
  return path;
}
