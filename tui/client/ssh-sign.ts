import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import ssh2Internals from 'ssh2/lib/protocol/utils.js';
import { SSH_KEYS, sshLoginNamespace, type LoginBody, type MfaRequiredBody } from '../../server/protocol.js';

/*
 * Signing a login challenge with an SSH key, as `ssh-keygen -Y sign -n mux1-login@HOST` would: in
 * OpenSSH's SSHSIG format, by the ssh-agent (SSH_AUTH_SOCK) or by a key file. The key never leaves
 * this machine, --via or not: only the signature travels. The namespace comes from the URL the
 * person gave, never from the server, so a hostile server cannot ask for a signature that another
 * server would take.
 */

/** A key that can sign: its public half, and how to reach the private one. */
export interface SshSigner {
  /** The .pub line (`ssh-ed25519 AAAA... comment`) sent with the signature. */
  publicKey: string;
  type: string;
  comment: string;
  sign(data: Buffer): Promise<{ signatureType: string; signature: Buffer }>;
}

const MAGIC = Buffer.from('SSHSIG');

const sshString = (value: Buffer | string): Buffer => {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

const accepted = (type: string) => (SSH_KEYS.types as readonly string[]).includes(type);

/** The namespace for the server at `serverUrl`: its host name without the port. */
export const namespaceFor = (serverUrl: string): string =>
  sshLoginNamespace(new URL(serverUrl).hostname.replace(/^\[|\]$/g, ''));

/** The armored SSH signature of `message` by `signer` under `namespace`. */
export async function signSshsig(signer: SshSigner, namespace: string, message: string): Promise<string> {
  const publicBlob = Buffer.from(signer.publicKey.split(' ')[1]!, 'base64');
  const hashAlgorithm = 'sha512';
  const toSign = Buffer.concat([
    MAGIC,
    sshString(namespace),
    sshString(Buffer.alloc(0)),
    sshString(hashAlgorithm),
    sshString(createHash(hashAlgorithm).update(message, 'utf8').digest()),
  ]);
  const { signatureType, signature } = await signer.sign(toSign);
  const version = Buffer.alloc(4);
  version.writeUInt32BE(1);
  const blob = Buffer.concat([
    MAGIC,
    version,
    sshString(publicBlob),
    sshString(namespace),
    sshString(Buffer.alloc(0)),
    sshString(hashAlgorithm),
    sshString(Buffer.concat([sshString(signatureType), sshString(signature)])),
  ]);
  const lines = blob.toString('base64').match(/.{1,70}/g) ?? [];
  return ['-----BEGIN SSH SIGNATURE-----', ...lines, '-----END SSH SIGNATURE-----'].join('\n') + '\n';
}

/** RSA signs with SHA-512 (rsa-sha2-512); the others with their own algorithm. */
const signatureTypeOf = (type: string) => (type === 'ssh-rsa' ? 'rsa-sha2-512' : type);

const pubLine = (key: ParsedKey) => `${key.type} ${key.getPublicSSH().toString('base64')}`;

/** The keys the ssh-agent at `socket` holds that a mux1 server accepts, in the agent's order. */
export function agentSigners(socket: string): Promise<SshSigner[]> {
  const agent = new ssh2.OpenSSHAgent(socket);
  return new Promise((resolve, reject) => {
    agent.getIdentities((err, keys) => {
      if (err) return reject(new Error(`the ssh-agent at SSH_AUTH_SOCK did not answer: ${err.message}`));
      // OpenSSHAgent answers parsed keys; the wider type also covers other agents.
      const usable = ((keys ?? []) as ParsedKey[]).filter((k) => accepted(k.type));
      resolve(
        usable.map((key) => ({
          publicKey: pubLine(key),
          type: key.type,
          comment: key.comment,
          sign: (data) =>
            new Promise((done, fail) => {
              agent.sign(key, data, { hash: 'sha512' }, (error, signature) => {
                if (error || !signature) fail(new Error(`the ssh-agent would not sign: ${error?.message}`));
                else done({ signatureType: signatureTypeOf(key.type), signature });
              });
            }),
        })),
      );
    });
  });
}

/** Whether a private key file needs a passphrase to be read. */
export function keyFileIsEncrypted(text: string): boolean {
  const parsed = ssh2.utils.parseKey(text);
  return parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message);
}

/** A signer for a private key file (OpenSSH or PEM format), or an Error saying why not. */
export function fileSigner(text: string, passphrase?: string): SshSigner | Error {
  const parsed = ssh2.utils.parseKey(text, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) return new Error('the file holds no key');
  if (key instanceof Error) return key;
  if (!key.isPrivateKey()) return new Error('the file holds a public key: give the private key file');
  if (!accepted(key.type))
    return new Error(`${key.type} keys are not accepted (${SSH_KEYS.types.join(', ')})`);
  return {
    publicKey: pubLine(key),
    type: key.type,
    comment: key.comment,
    sign: async (data) => {
      const raw = key.sign(data, key.type === 'ssh-rsa' ? 'sha512' : undefined);
      if (raw instanceof Error) throw raw;
      // OpenSSL signs ECDSA in DER; SSH carries r and s as two mpints.
      const signature = key.type.startsWith('ecdsa-') ? ssh2Internals.convertSignature(raw, key.type) : raw;
      if (!signature) throw new Error('could not convert the ECDSA signature');
      return { signatureType: signatureTypeOf(key.type), signature };
    },
  };
}

/** The public key file `keys add` takes when none is named: the first of OpenSSH's defaults. */
export function defaultPublicKeyFile(home = homedir()): string | undefined {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa']
    .map((name) => join(home, '.ssh', `${name}.pub`))
    .find((path) => existsSync(path));
}

/** Reads a file for `keys add`, refusing a private key so it is never sent anywhere. */
export function readPublicKeyFile(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (text.includes('PRIVATE KEY')) {
    throw new Error(`${path} is a private key: give its .pub file`);
  }
  return text.trim();
}

/** What a login with SSH keys needs from the REST client. */
interface SshLoginRest {
  sshChallenge(body: { username: string }): Promise<{ challenge_id: string; nonce: string }>;
  loginSsh(body: {
    challenge_id: string;
    public_key: string;
    signature: string;
  }): Promise<LoginBody | MfaRequiredBody>;
}

/**
 * Signs a fresh challenge with each key in turn until the server takes one; undefined when none
 * of them is the account's. A key the account does not have is refused without counting toward
 * its lockout, so trying the agent's keys one by one is safe. Other refusals end the loop at once.
 */
export async function loginWithSshKeys(
  rest: SshLoginRest,
  input: { username: string; serverUrl: string; signers: SshSigner[] },
): Promise<LoginBody | MfaRequiredBody | undefined> {
  const namespace = namespaceFor(input.serverUrl);
  for (const signer of input.signers) {
    const challenge = await rest.sshChallenge({ username: input.username });
    const signature = await signSshsig(signer, namespace, challenge.nonce);
    try {
      return await rest.loginSsh({
        challenge_id: challenge.challenge_id,
        public_key: signer.publicKey,
        signature,
      });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'invalid_credentials') continue;
      throw err;
    }
  }
  return undefined;
}
