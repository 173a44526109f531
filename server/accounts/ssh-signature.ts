import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import ssh2Internals from 'ssh2/lib/protocol/utils.js';

/*
 * Checking an SSH signature (the SSHSIG format of OpenSSH's PROTOCOL.sshsig, what
 * `ssh-keygen -Y sign` prints). Only the envelope is read here; the signature itself is checked
 * by ssh2's parsed key (OpenSSL underneath). The namespace is part of what was signed, so a
 * signature made for another server or purpose (git commits, another mux1) does not verify here.
 */

const MAGIC = Buffer.from('SSHSIG');
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';

export interface SshSignature {
  publicKey: Buffer;
  namespace: string;
  reserved: Buffer;
  hashAlgorithm: string;
  signatureType: string;
  signature: Buffer;
}

/** Reads SSH wire strings (uint32 length, bytes) one after another; undefined past the end. */
function reader(buf: Buffer) {
  let at = 0;
  return {
    string(): Buffer | undefined {
      if (at + 4 > buf.length) return undefined;
      const length = buf.readUInt32BE(at);
      if (at + 4 + length > buf.length) return undefined;
      const out = buf.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      return out;
    },
    uint32(): number | undefined {
      if (at + 4 > buf.length) return undefined;
      at += 4;
      return buf.readUInt32BE(at - 4);
    },
    done: () => at === buf.length,
  };
}

/** The armored signature's parts, or undefined when it is not one (truncated, garbled). */
export function parseArmoredSignature(armored: string): SshSignature | undefined {
  const text = armored.trim();
  if (!text.startsWith(BEGIN) || !text.endsWith(END)) return undefined;
  const body = text.slice(BEGIN.length, -END.length).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const raw = Buffer.from(body, 'base64');
  if (raw.length < MAGIC.length || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const r = reader(raw.subarray(MAGIC.length));
  const version = r.uint32();
  const publicKey = r.string();
  const namespace = r.string();
  const reserved = r.string();
  const hashAlgorithm = r.string();
  const wrapped = r.string();
  if (version !== 1 || !publicKey || !namespace || !reserved || !hashAlgorithm || !wrapped || !r.done()) {
    return undefined;
  }
  const inner = reader(wrapped);
  const signatureType = inner.string();
  const signature = inner.string();
  if (!signatureType || !signature || !inner.done()) return undefined;
  return {
    publicKey,
    namespace: namespace.toString('utf8'),
    reserved,
    hashAlgorithm: hashAlgorithm.toString('utf8'),
    signatureType: signatureType.toString('utf8'),
    signature,
  };
}

const sshString = (value: Buffer | string): Buffer => {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/** What an SSHSIG signature covers: the magic, namespace, reserved, hash name, the message's hash. */
export function signedData(namespace: string, hashAlgorithm: 'sha256' | 'sha512', message: Buffer): Buffer {
  return Buffer.concat([
    MAGIC,
    sshString(namespace),
    sshString(Buffer.alloc(0)),
    sshString(hashAlgorithm),
    sshString(createHash(hashAlgorithm).update(message).digest()),
  ]);
}

/**
 * The signature types each key type may sign with, and the hash OpenSSL is told to use; RSA with
 * SHA-1 (`ssh-rsa` signatures) is refused, as OpenSSH refuses it.
 */
const SIGNATURE_HASH: Record<string, Record<string, string | null>> = {
  'ssh-ed25519': { 'ssh-ed25519': null },
  'ecdsa-sha2-nistp256': { 'ecdsa-sha2-nistp256': 'sha256' },
  'ecdsa-sha2-nistp384': { 'ecdsa-sha2-nistp384': 'sha384' },
  'ssh-rsa': { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' },
};

/**
 * True when `armored` is a signature by the key `blob` (of `keyType`) over `message` in
 * one of `namespaces`. Everything else (another key, another namespace, a truncated or altered signature,
 * an unknown hash) is false: the caller answers all of them alike.
 */
export function verifySshSignature(
  armored: string,
  expected: { blob: Buffer; keyType: string; namespaces: string[]; message: Buffer },
): boolean {
  const sig = parseArmoredSignature(armored);
  if (!sig) return false;
  if (!sig.publicKey.equals(expected.blob) || !expected.namespaces.includes(sig.namespace)) return false;
  if (sig.hashAlgorithm !== 'sha256' && sig.hashAlgorithm !== 'sha512') return false;
  const hashes = SIGNATURE_HASH[expected.keyType];
  if (!hashes || !(sig.signatureType in hashes)) return false;
  const key = ssh2.utils.parseKey(expected.blob);
  if (key instanceof Error || Array.isArray(key) || key.type !== expected.keyType) return false;
  const raw = expected.keyType.startsWith('ecdsa-')
    ? ssh2Internals.sigSSHToASN1(sig.signature, expected.keyType)
    : sig.signature;
  if (!raw) return false;
  const data = signedData(sig.namespace, sig.hashAlgorithm, expected.message);
  const hash = hashes[sig.signatureType] ?? undefined;
  return key.verify(data, raw, hash as string) === true;
}
