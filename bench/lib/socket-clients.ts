/** The parent's handle on several socket client processes (bench/load/sockets.ts). */
import { forkRole, type Child } from './rpc.js';

const clientModule = new URL('../load/sockets.ts', import.meta.url).href;

export interface SocketClients {
  procs: Child[];
  /** Connects `total` sockets, split evenly over the processes; returns the seconds it took. */
  connect(url: string, tokens: string[], total: number): Promise<number>;
  kill(): void;
}

export function forkSocketClients(processes: number): SocketClients {
  const procs = Array.from({ length: processes }, () => forkRole(clientModule, 'socket-clients'));
  return {
    procs,
    async connect(url, tokens, total) {
      const started = performance.now();
      const share = Math.ceil(total / procs.length);
      await Promise.all(
        procs.map((p, i) =>
          p.call(
            'connect',
            { url, tokens, count: Math.min(share, total - i * share), offset: i * share },
            180_000,
          ),
        ),
      );
      return (performance.now() - started) / 1000;
    },
    kill() {
      for (const p of procs) p.kill();
    },
  };
}
