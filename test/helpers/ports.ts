import { createServer } from 'node:net';
import type { Server } from 'node:net';

/*
 * Ports for services a test starts later on a port it must know in advance (a server it restarts
 * on the same port, a `mux1 server` process, sshd, a Redis it kills, a "dead" URL nothing answers).
 * Where the code under test can listen on port 0 and report the port, tests do that instead.
 *
 * A port the kernel hands out for port 0 and that is closed again is up for grabs: any process
 * listening on port 0, or opening an outgoing connection, may take it before the test uses it, and
 * under mocha --parallel another worker does just that. So these ports come from below the kernel's
 * ephemeral range (32768-60999 on Linux, where port 0 and outgoing connections draw from), in
 * blocks: a process (each mocha worker, or another test run on the machine) owns a block while it
 * listens on the block's first port, which the kernel gives to one process only and frees when
 * that process ends, however it ends. Two processes therefore never hand out the same port. Each
 * port is still checked free before it is handed out, against programs outside the tests.
 */

const FIRST_PORT = 20_000;
const BLOCK_SIZE = 200;
const BLOCKS = 60; // 20000..31999

let block: Promise<{ first: number; next: number }> | undefined;

const listen = (port: number): Promise<Server | undefined> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });

async function claimBlock(): Promise<{ first: number; next: number }> {
  // Start at a block that depends on the pid, so that workers started together rarely contend.
  const start = process.pid % BLOCKS;
  for (let i = 0; i < BLOCKS; i++) {
    const first = FIRST_PORT + ((start + i) % BLOCKS) * BLOCK_SIZE;
    const owner = await listen(first);
    if (!owner) continue;
    owner.unref(); // held until the process ends, without keeping it alive
    return { first, next: first + 1 };
  }
  throw new Error(
    `freePort: every block of ports in ${FIRST_PORT}..${FIRST_PORT + BLOCKS * BLOCK_SIZE - 1} is taken`,
  );
}

const isFree = async (port: number): Promise<boolean> => {
  const probe = await listen(port);
  if (!probe) return false;
  await new Promise((resolve) => probe.close(resolve));
  return true;
};

/**
 * A loopback port that no other process of the tests is handed, free when checked: for a service
 * that must start later on it. Successive calls in one process give different ports.
 */
export async function freePort(): Promise<number> {
  block ??= claimBlock();
  const owned = await block;
  for (let tried = 1; tried < BLOCK_SIZE; tried++) {
    const port = owned.next;
    owned.next = port + 1 < owned.first + BLOCK_SIZE ? port + 1 : owned.first + 1;
    if (await isFree(port)) return port;
  }
  throw new Error(`freePort: no free port in ${owned.first + 1}..${owned.first + BLOCK_SIZE - 1}`);
}
