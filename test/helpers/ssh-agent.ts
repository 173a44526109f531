import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { KeyPair } from './ssh-keys.js';

export interface TestAgent {
  /** The value for SSH_AUTH_SOCK. */
  socket: string;
  /** Sign requests answered; a login through the agent makes at least one. */
  signatures(): number;
  close(): Promise<void>;
}

/**
 * An ssh-agent speaking the real agent protocol (ssh2's AgentProtocol in server mode) on a Unix
 * socket, holding the given keys: the tunnel finds it through SSH_AUTH_SOCK as it would find
 * OpenSSH's ssh-agent.
 */
export async function startTestAgent(keys: KeyPair[]): Promise<TestAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'mux1-agent-'));
  const socket = join(dir, 'agent.sock');
  const parsed = keys.map((pair) => {
    const key = ssh2.utils.parseKey(pair.privateKey);
    if (key instanceof Error) throw key;
    return key;
  });
  let signatures = 0;
  const server = createServer((connection) => {
    const protocol = new ssh2.AgentProtocol(false);
    protocol.on('identities', (req) => protocol.getIdentitiesReply(req, parsed));
    protocol.on('sign', (req, publicKey, data, flags) => {
      const key = parsed.find((k) => k.getPublicSSH().equals(publicKey.getPublicSSH()));
      if (!key) return protocol.failureReply(req);
      signatures++;
      protocol.signReply(req, key.sign(data, flags.hash));
    });
    connection.on('error', () => {});
    connection.pipe(protocol).pipe(connection);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    signatures: () => signatures,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        }),
      ),
  };
}
