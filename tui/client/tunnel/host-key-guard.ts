import { TunnelError } from './errors.js';
import type { ServerHostKeyAlgorithm } from './ssh2.js';
import { displayKeyType, fingerprintOf, hostKeyAlgorithmsFor, keyTypeOf } from './host-key.js';
import {
  appendKnownHost,
  checkKnownHost,
  knownHostsName,
  knownKeyTypes,
  readKnownHosts,
  type KnownHostLine,
} from './known-hosts.js';

/** What a user is shown before trusting a host seen for the first time. */
export interface UnknownHost {
  /** The known_hosts name: `host` or `[host]:port`. */
  host: string;
  /** `ED25519`, `ECDSA`, `RSA`. */
  keyType: string;
  /** `SHA256:...`, comparable with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host. */
  fingerprint: string;
  knownHostsFile: string;
}

export interface HostKeyGuardOptions {
  host: string;
  port: number;
  /** Read, and where a newly trusted key is written. */
  knownHostsFile: string;
  /** Read only, like ssh's GlobalKnownHostsFile. */
  globalKnownHostsFiles: readonly string[];
  acceptNew: boolean;
  /** ssh_config's HashKnownHosts: write the host name hashed. */
  hashKnownHosts: boolean;
  confirmHost?: (host: UnknownHost) => Promise<boolean>;
}

/** What commit() did, for the status line. */
export type HostKeyCommit =
  | { added: false; writeError?: undefined }
  | { added: true; host: string; file: string; fingerprint: string }
  | { added: false; writeError: string };

/**
 * Decides whether a host key may be used, following ssh's StrictHostKeyChecking: known keys pass,
 * a changed or revoked key never does, an unknown one only with acceptNew or the user's yes. The
 * first verified key is pinned: a reconnection must see the very same key, whatever happens to
 * known_hosts meanwhile.
 */
export class HostKeyGuard {
  private readonly name: string;
  private pinned: Buffer | undefined;
  private pending: { key: Buffer; isNew: boolean } | undefined;

  constructor(private readonly options: HostKeyGuardOptions) {
    this.name = knownHostsName(options.host, options.port);
  }

  get fingerprint(): string | undefined {
    return this.pinned && fingerprintOf(this.pinned);
  }

  /** The handshake's host key algorithm preference: types already known for this host first. */
  algorithms(): ServerHostKeyAlgorithm[] {
    return hostKeyAlgorithmsFor(knownKeyTypes(this.lines(), this.name));
  }

  /**
   * Resolves when the key may be used, throws a TunnelError when not. `whileAsking` wraps the
   * question to the user so the connect timeout does not run while they read.
   */
  async check(key: Buffer, whileAsking: <T>(question: Promise<T>) => Promise<T>): Promise<void> {
    const shown = describe(key);
    if (this.pinned) {
      if (this.pinned.equals(key)) return;
      throw new TunnelError(
        'host_key_changed',
        `WARNING: the host key of ${this.name} CHANGED while the tunnel was up: it now presents ${shown}, ` +
          `it presented ${describe(this.pinned)}; someone may be intercepting the connection, so it is refused`,
      );
    }
    const verdict = checkKnownHost(this.lines(), this.name, key);
    if (verdict.status === 'known') {
      this.pending = { key, isNew: false };
      return;
    }
    if (verdict.status === 'revoked') {
      throw new TunnelError(
        'host_key_revoked',
        `the ${shown} presented by ${this.name} is marked @revoked in ${where(verdict.entry)}; refusing to connect`,
      );
    }
    if (verdict.status === 'changed') {
      const old = verdict.entries[0]!;
      throw new TunnelError(
        'host_key_changed',
        `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${this.name}: it now presents ${shown}, ` +
          `${where(old)} has ${describe(old.key)}; someone may be intercepting the connection, so it is refused. ` +
          `If the host was reinstalled, remove the old entry: ssh-keygen -R '${this.name}' -f ${old.file}`,
      );
    }
    if (!this.options.acceptNew && !(await this.askUser(key, whileAsking))) {
      throw new TunnelError(
        'host_unknown',
        `host ${this.name} is not in ${this.options.knownHostsFile} (it presents ${shown}); ` +
          `check that fingerprint with the host's owner, then rerun with --accept-new`,
      );
    }
    this.pending = { key, isNew: true };
  }

  /**
   * Called once the handshake completed, that is once the host proved it holds the private key:
   * writing known_hosts any earlier would let an impostor without the key plant its entry.
   */
  commit(): HostKeyCommit {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending || this.pinned) return { added: false };
    this.pinned = pending.key;
    if (!pending.isNew) return { added: false };
    const fingerprint = fingerprintOf(pending.key);
    try {
      appendKnownHost(this.options.knownHostsFile, this.name, pending.key, {
        hash: this.options.hashKnownHosts,
      });
      return { added: true, host: this.name, file: this.options.knownHostsFile, fingerprint };
    } catch (err) {
      // ssh goes on in this case too; the key stays pinned for this run's reconnections.
      return { added: false, writeError: `${this.options.knownHostsFile}: ${(err as Error).message}` };
    }
  }

  private async askUser(key: Buffer, whileAsking: <T>(question: Promise<T>) => Promise<T>): Promise<boolean> {
    const { confirmHost } = this.options;
    if (!confirmHost) return false;
    return whileAsking(
      confirmHost({
        host: this.name,
        keyType: displayKeyType(keyTypeOf(key)),
        fingerprint: fingerprintOf(key),
        knownHostsFile: this.options.knownHostsFile,
      }),
    ).catch(() => false);
  }

  private lines(): KnownHostLine[] {
    return [this.options.knownHostsFile, ...this.options.globalKnownHostsFiles].flatMap(readKnownHosts);
  }
}

function describe(key: Buffer): string {
  return `${displayKeyType(keyTypeOf(key))} key ${fingerprintOf(key)}`;
}

function where(line: KnownHostLine): string {
  return `${line.file}:${line.line}`;
}
