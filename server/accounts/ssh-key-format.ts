import { createHash, createPublicKey } from 'node:crypto';
import ssh2 from 'ssh2';
import { SSH_KEYS } from '../protocol.js';

/*
 * Reading an OpenSSH public key line (`ssh-ed25519 AAAA... comment`, a .pub file): which kinds are
 * accepted and why the others are not, the key's size, and its fingerprint as `ssh-keygen -lf`
 * prints it. ssh2 parses the key; nothing here is cryptography.
 */

export interface SshPublicKey {
  type: (typeof SSH_KEYS.types)[number];
  /** The key blob, as it travels in SSH and in SSHSIG. */
  blob: Buffer;
  comment: string;
  /** `SHA256:` and the unpadded base64 of the blob's SHA-256, exactly as ssh-keygen prints it. */
  fingerprint: string;
  bits: number;
}

/** Why a kind of key is refused, in words a person can act on. */
const REFUSED: [test: (type: string) => boolean, reason: string][] = [
  [(t) => t.includes('-cert-'), 'certificates are not accepted: add the plain public key'],
  [
    (t) => t.startsWith('sk-'),
    'security-key (sk-) SSH keys are not supported; use a passkey in the page, or an ed25519 key',
  ],
  [(t) => t === 'ssh-dss', 'DSA keys are refused: OpenSSH itself turned them off as too weak'],
  [
    (t) => t === 'ecdsa-sha2-nistp521',
    'ecdsa-sha2-nistp521 keys are not accepted: use ed25519 or P-256/P-384',
  ],
];

export const fingerprintOf = (blob: Buffer): string =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

/** The key, or the reason it is refused. */
export function parseSshPublicKey(line: string): SshPublicKey | { problem: string } {
  const text = line.trim();
  if (text.includes('PRIVATE KEY')) {
    return { problem: 'that is a private key: send the public key (the .pub file) and keep this one secret' };
  }
  if (/[\r\n]/.test(text)) return { problem: 'public_key must be one line: the content of a .pub file' };
  const [type = '', data = '', ...rest] = text.split(/[ \t]+/);
  if (!(SSH_KEYS.types as readonly string[]).includes(type)) {
    const refused = REFUSED.find(([test]) => test(type));
    if (refused) return { problem: refused[1] };
    return {
      problem: `not an OpenSSH public key of a kind accepted here (${SSH_KEYS.types.join(', ')}): expected a line like "ssh-ed25519 AAAA... comment"`,
    };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return { problem: 'the key data is not base64' };
  const parsed = ssh2.utils.parseKey(`${type} ${data}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || key.type !== type) {
    return { problem: 'the key data is not a valid key of the kind its line names' };
  }
  const blob = key.getPublicSSH();
  if (!blob.equals(Buffer.from(data, 'base64'))) return { problem: 'the key data is not a valid key' };
  const bits = bitsOf(type, key.getPublicPEM());
  if (type === 'ssh-rsa' && bits < SSH_KEYS.rsaMinBits) {
    return {
      problem: `this RSA key has ${bits} bits; RSA keys need at least ${SSH_KEYS.rsaMinBits} (make one with ssh-keygen -t ed25519)`,
    };
  }
  return {
    type: type as SshPublicKey['type'],
    blob,
    comment: rest.join(' '),
    fingerprint: fingerprintOf(blob),
    bits,
  };
}

function bitsOf(type: string, pem: string): number {
  if (type === 'ssh-ed25519') return 256;
  if (type === 'ecdsa-sha2-nistp256') return 256;
  if (type === 'ecdsa-sha2-nistp384') return 384;
  return createPublicKey(pem).asymmetricKeyDetails?.modulusLength ?? 0;
}
