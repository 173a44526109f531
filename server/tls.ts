import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config/index.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/**
 * TLS_CERT and TLS_KEY read and checked as a pair: both or neither, readable, PEM that Node
 * accepts, and a key that belongs to the certificate. Read again on SIGHUP, so a renewed
 * certificate (certbot, cert-manager) is served without a restart. Undefined without them.
 */
export function readTlsFiles(settings: { tlsCert?: string; tlsKey?: string }): TlsFiles | undefined {
  const { tlsCert, tlsKey } = settings;
  if (!tlsCert && !tlsKey) return undefined;
  if (!tlsCert || !tlsKey) {
    throw new ConfigError(`${tlsCert ? 'TLS_KEY' : 'TLS_CERT'} is missing: TLS_CERT and TLS_KEY go together`);
  }
  const read = (path: string, setting: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(
        `${setting} ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  const files = { cert: read(tlsCert, 'TLS_CERT'), key: read(tlsKey, 'TLS_KEY') };
  try {
    // What the HTTPS server would do with them, so a bad pair fails here with the settings named.
    createSecureContext(files);
  } catch (err) {
    throw new ConfigError(
      `TLS_CERT ${tlsCert} / TLS_KEY ${tlsKey}: not a usable pair (${(err as Error).message})`,
    );
  }
  return files;
}
