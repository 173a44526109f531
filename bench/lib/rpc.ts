/**
 * Parent/child plumbing for benches: load generators (and, where memory is measured, servers)
 * run in forked processes so they never share an event loop with what they measure. The parent
 * calls named operations in a child and waits for each answer with a deadline; children die
 * with their parent (IPC disconnect) and the parent kills every child it forked when it exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

export interface Child {
  readonly pid: number;
  call<T>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Kills the child (SIGKILL: a bench child holds nothing worth a graceful stop). */
  kill(): void;
}

const live = new Set<ChildProcess>();
let hooked = false;

function killAllOnExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/**
 * Forks `moduleUrl` (an `import.meta.url`) under tsx with `role` in MUX1_BENCH_ROLE.
 * `nodeArgs` go before the loader, e.g. `--expose-gc`.
 */
export function forkRole(
  moduleUrl: string,
  role: string,
  options: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Child {
  killAllOnExit();
  const child = fork(fileURLToPath(moduleUrl), [], {
    execArgv: [...(options.nodeArgs ?? []), '--import', 'tsx'],
    env: { ...process.env, ...options.env, MUX1_BENCH_ROLE: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let exited: string | undefined;
  child.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.error !== undefined) w.reject(new Error(reply.error));
    else w.resolve(reply.result);
  });
  child.once('exit', (code, signal) => {
    live.delete(child);
    exited = `${role} child exited (${signal ?? code})`;
    for (const w of waiting.values()) w.reject(new Error(exited));
    waiting.clear();
  });
  return {
    pid: child.pid ?? -1,
    call<T>(op: string, args?: unknown, timeoutMs = 60_000): Promise<T> {
      if (exited) return Promise.reject(new Error(exited));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${role}.${op}: no answer within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, op, args });
      });
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** True in a process forked by `forkRole(…, role)`. */
export const isRole = (role: string): boolean => process.env.MUX1_BENCH_ROLE === role;

/**
 * The child side: answers each `{id, op, args}` with its handler's result. The child exits when
 * its parent goes away, and after `maxLifeMs` whatever happens, so no load outlives its bench.
 */
export function serveRole(handlers: Record<string, (args: any) => unknown>, maxLifeMs = 10 * 60_000): void {
  setTimeout(() => process.exit(3), maxLifeMs).unref();
  process.once('disconnect', () => process.exit(0));
  process.on('message', (msg: { id: number; op: string; args: unknown }) => {
    const handler = handlers[msg.op];
    const answer = (reply: Reply) => process.send?.(reply);
    if (!handler) return answer({ id: msg.id, error: `unknown operation ${msg.op}` });
    Promise.resolve()
      .then(() => handler(msg.args))
      .then(
        (result) => answer({ id: msg.id, result: result ?? null }),
        (err: Error) => answer({ id: msg.id, error: err?.message ?? String(err) }),
      );
  });
}
