import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/*
 * A software authenticator for server tests: an ES256 key per passkey, and the exact bytes a
 * browser and a platform authenticator send (authenticator data, CBOR attestation object with
 * the "none" format, client data JSON, DER signature), so the server's real verification runs.
 * The page tests use Chromium's own virtual authenticator instead.
 */

const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface SoftPasskey {
  credentialId: Buffer;
  privateKey: KeyObject;
  userHandle: string;
  rpId: string;
  counter: number;
}

function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

const clientData = (type: string, challenge: string, origin: string) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

/**
 * Answers registration options as an authenticator would: a new passkey and the credential JSON.
 * `origin` is the page's origin the browser would report; `verified` false leaves out the UV flag.
 */
export function createPasskey(
  options: { challenge: string; rp: { id: string }; user: { id: string } },
  origin: string,
  opts: { verified?: boolean; rpId?: string } = {},
): { passkey: SoftPasskey; credential: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credentialId = randomBytes(32);
  const rpId = opts.rpId ?? options.rp.id;
  const flags = FLAG_UP | FLAG_AT | (opts.verified === false ? 0 : FLAG_UV);
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([
    sha256(rpId),
    Buffer.from([flags]),
    Buffer.alloc(4),
    Buffer.alloc(16),
    idLength,
    credentialId,
    Buffer.from(coseKey(publicKey)),
  ]);
  const attestationObject = isoCBOR.encode(
    new Map<string, string | Uint8Array | Map<string, string>>([
      ['fmt', 'none'],
      ['attStmt', new Map<string, string>()],
      ['authData', authData],
    ]),
  );
  const id = b64u(credentialId);
  return {
    passkey: { credentialId, privateKey, userHandle: options.user.id, rpId, counter: 0 },
    credential: {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientData('webauthn.create', options.challenge, origin)),
        attestationObject: b64u(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    },
  };
}

/** Signs a sign-in challenge with the passkey, as navigator.credentials.get() answers. */
export function assertPasskey(
  passkey: SoftPasskey,
  challenge: string,
  origin: string,
  opts: { verified?: boolean; counter?: number; userHandle?: string } = {},
): Record<string, unknown> {
  passkey.counter = opts.counter ?? passkey.counter + 1;
  const count = Buffer.alloc(4);
  count.writeUInt32BE(passkey.counter);
  const flags = FLAG_UP | (opts.verified === false ? 0 : FLAG_UV);
  const authData = Buffer.concat([sha256(passkey.rpId), Buffer.from([flags]), count]);
  const data = clientData('webauthn.get', challenge, origin);
  const signature = sign('sha256', Buffer.concat([authData, sha256(data)]), passkey.privateKey);
  const id = b64u(passkey.credentialId);
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: {
      clientDataJSON: b64u(data),
      authenticatorData: b64u(authData),
      signature: b64u(signature),
      userHandle: opts.userHandle ?? passkey.userHandle,
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
  };
}
