import { createHash } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from './ssh2.js';

/**
 * Helpers for a host key as it travels in SSH: the public key blob, which starts with its own
 * type name as an SSH string.
 */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** The form `ssh` prints and `ssh-keygen -lf` shows: `SHA256:` + unpadded base64. */
export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** `ED25519`, `ECDSA`, `RSA`: the names ssh uses in its prompts. */
export function displayKeyType(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (type === 'ssh-rsa') return 'RSA';
  if (type === 'ssh-dss') return 'DSA';
  return type;
}

/** ssh2's default host key algorithms on Node >= 20 (ed25519 available), most preferred first. */
const DEFAULT_HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** An RSA key is stored as `ssh-rsa` but negotiated under its signature algorithm names. */
function algorithmsForKeyType(type: string): ServerHostKeyAlgorithm[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return DEFAULT_HOST_KEY_ALGORITHMS.filter((algo) => algo === type);
}

/**
 * Asks for the key types already known for the host first, as ssh does. Without this a host known
 * by its ECDSA key that also has an ED25519 key would present the ED25519 one, which is not in
 * known_hosts and would look like a changed key.
 */
export function hostKeyAlgorithmsFor(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const preferred = [...new Set(knownTypes.flatMap(algorithmsForKeyType))];
  return [...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((algo) => !preferred.includes(algo))];
}
