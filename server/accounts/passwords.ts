import * as scryptModule from 'scrypt-kdf';
import { KdfGate } from './kdf-gate.js';

// scrypt-kdf's runtime export is a default class, while its .d.ts declares named functions.
const { kdf, verify, viewParams } = (scryptModule as unknown as { default: typeof scryptModule }).default;

/**
 * scrypt through scrypt-kdf, which stores its parameters and salt with the hash and lifts
 * Node's 32 MiB `maxmem` default (logN 17 with r=8 needs 128 MiB).
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(
    private readonly logN: number,
    private readonly gate = new KdfGate(),
  ) {}

  async hash(password: string): Promise<string> {
    const hashed = await this.gate.run(() => kdf(password, { logN: this.logN, r: 8, p: 1 }));
    return Buffer.from(hashed).toString('base64');
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.gate.run(() => verify(Buffer.from(hash, 'base64'), password));
    } catch {
      return false;
    }
  }

  /** Spends the same time as a real check, for accounts that do not exist. */
  async verifyDummy(password: string): Promise<false> {
    this.dummy ??= this.hash('mux1 dummy password for unknown accounts');
    await this.verify(await this.dummy, password);
    return false;
  }

  /** True when the stored hash was made with other parameters than today's. */
  isOutdated(hash: string): boolean {
    try {
      const p = viewParams(Buffer.from(hash, 'base64'));
      return p.logN !== this.logN || p.r !== 8 || p.p !== 1;
    } catch {
      return true;
    }
  }
}
