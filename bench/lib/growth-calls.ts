/**
 * How the growth bench calls a server and times it: a keep-alive HTTP client, a download that
 * allocates nothing for a body it only counts, a runner that makes a fixed number of calls at a
 * fixed concurrency, Socket.IO clients that keep inside the server's per-socket budgets, and a
 * reader of another process's RSS.
 */
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { assertLoopback, sleep } from './stats.js';

export interface Answer {
  status: number;
  bytes: number;
  /** The body as text, unless the call asked to discard it. */
  text: string;
}

/** One server's HTTP client: keep-alive connections, and each call from an address of its own. */
export class HttpClient {
  private readonly agent: Agent;

  constructor(
    readonly base: string,
    maxSockets = 32,
  ) {
    assertLoopback(base);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /**
   * Every request carries an X-Forwarded-For of its own (the server trusts the proxy header):
   * the per-address budgets then count many people, as in production, and no login is asked
   * for a challenge because others are in flight from the same address.
   */
  call(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; headers?: Record<string, string>; discard?: boolean } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      'x-forwarded-for': nextAddress(),
      'user-agent': USER_AGENT,
      ...options.headers,
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return this.send(method, path, headers, body, options.discard ?? false, true);
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    discard: boolean,
    mayRetry: boolean,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.base), { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (!discard) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, bytes, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path}: no answer within 120 s`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as the request went out: sent again on a
        // new one, once, as browsers do (Node's documented pattern, `reusedSocket`).
        if (mayRetry && req.reusedSocket && err.code === 'ECONNRESET') {
          resolve(this.send(method, path, headers, body, discard, false));
        } else reject(err);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One buffer every download reads into: a read is counted and forgotten before the next. */
const DOWNLOAD_BUFFER = Buffer.alloc(256 * 1024);

/**
 * GET `path` over a socket of its own (Connection: close), reading into DOWNLOAD_BUFFER, so a
 * large body costs no allocation: the status from the head, and the bytes after it (the body
 * with its chunked framing, a few bytes a chunk). For a client that only takes bodies in.
 */
export function downloadDiscarding(
  url: string,
  path: string,
  token: string,
): Promise<{ status: number; bytes: number }> {
  const { hostname, port } = new URL(url);
  assertLoopback(url);
  return new Promise((resolve, reject) => {
    let head = '';
    let status = 0;
    let bytes = 0;
    const socket = connect({
      host: hostname,
      port: Number(port),
      onread: {
        buffer: DOWNLOAD_BUFFER,
        // True: go on reading (false would pause the socket).
        callback(size) {
          if (status) {
            bytes += size;
            return true;
          }
          // Latin-1: a character a byte, so the head's length counts bytes.
          head += DOWNLOAD_BUFFER.toString('latin1', 0, size);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return true;
          status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? -1);
          bytes = head.length - end - 4;
          return true;
        },
      },
    });
    socket.setTimeout(600_000, () => socket.destroy(new Error(`GET ${path}: no answer within 600 s`)));
    socket.once('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          `X-Forwarded-For: ${nextAddress()}\r\nUser-Agent: ${USER_AGENT}\r\nConnection: close\r\n\r\n`,
      ),
    );
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve({ status, bytes });
    });
  });
}

const USER_AGENT = 'mux1-bench-growth';
let address = 0;

/** An address of its own for every request, as X-Forwarded-For (see HttpClient.call). */
function nextAddress(): string {
  const n = ++address;
  return `10.${200 + ((n >> 16) & 31)}.${(n >> 8) & 255}.${n & 255}`;
}

/** Throws unless the answer has the expected status, with the start of its body. */
export function expectStatus(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) {
    throw new Error(`${what} answered ${answer.status}, not ${status}: ${answer.text.slice(0, 200)}`);
  }
}

export interface Timings {
  /** Milliseconds of the calls that succeeded, ascending once the measure is over. */
  ms: number[];
  failures: number;
  /** Each kind of failure (its message, shortened) and how often it happened. */
  failed: Record<string, number>;
}

export const noTimings = (): Timings => ({ ms: [], failures: 0, failed: {} });

/** Adds the calls of `more` to `into` (left unsorted). */
export function mergeTimings(into: Timings, more: Timings): void {
  for (const ms of more.ms) into.ms.push(ms);
  for (const [kind, n] of Object.entries(more.failed)) {
    if (kind in into.failed || Object.keys(into.failed).length < 5)
      into.failed[kind] = (into.failed[kind] ?? 0) + n;
  }
  into.failures += more.failures;
}

export function recordFailure(t: Timings, err: unknown): void {
  t.failures++;
  const kind = String((err as Error)?.message ?? err).slice(0, 120);
  if (kind in t.failed || Object.keys(t.failed).length < 5) t.failed[kind] = (t.failed[kind] ?? 0) + 1;
}

/** The failures of a measure in words, or '' when there were none. */
export const failureText = (t: Timings): string =>
  Object.entries(t.failed)
    .map(([kind, n]) => `${n}x ${kind}`)
    .join('; ');

/**
 * Runs `call(i)` for i from `from` to `to` - 1, `concurrency` at a time, starting none after
 * `deadline` (a performance.now() time).
 */
export async function runCalls(
  from: number,
  to: number,
  concurrency: number,
  call: (i: number) => Promise<void>,
  deadline = Infinity,
): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to && performance.now() < deadline) await call(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Adds the ms `work` resolves to (it times itself, so a wait for a socket's budget is not
 * counted) to `into`, or counts its failure; keeps nothing when `into` is undefined (a warm-up).
 */
export async function record(into: Timings | undefined, work: () => Promise<number>): Promise<void> {
  try {
    const ms = await work();
    into?.ms.push(ms);
  } catch (err) {
    if (into) recordFailure(into, err);
  }
}

/**
 * Calls `probe(i)` every `intervalMs` - on schedule, whether or not earlier calls have answered -
 * until `stop()` says so or `max` calls were made, and returns each call's ms, ascending. A
 * server that stalls for a second thus shows as a second's worth of slow calls, not as one.
 */
export async function probeAtRate(
  intervalMs: number,
  probe: (i: number) => Promise<number>,
  stop: () => boolean,
  max = Infinity,
): Promise<Timings> {
  const result = noTimings();
  const calls: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < max && !stop(); i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    calls.push(
      probe(i).then(
        (ms) => void result.ms.push(ms),
        (err: unknown) => recordFailure(result, err),
      ),
    );
  }
  await Promise.all(calls);
  result.ms.sort((a, b) => a - b);
  return result;
}

/** Times `work`, in ms. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------
// Socket.IO

export interface Ack {
  ok: boolean;
  error?: string;
  code?: string;
  [key: string]: unknown;
}

/** Opens a socket and waits for the server's `connected`; `token` signs it in at the handshake. */
export async function openSocket(
  url: string,
  options: { token?: string; address?: string } = {},
): Promise<{ socket: Socket; signedIn: boolean }> {
  assertLoopback(url);
  const socket = io(url, {
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    auth: options.token ? { token: options.token } : {},
    extraHeaders: {
      'user-agent': 'mux1-bench-growth',
      ...(options.address ? { 'x-forwarded-for': options.address } : {}),
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error('socket: no `connected` within 20 s'));
    }, 20_000);
    socket.once('connected', (event: { user: unknown }) => {
      clearTimeout(timer);
      resolve({ socket, signedIn: event.user !== null });
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Emits `event` and waits for its acknowledgement; throws unless it says ok. */
export async function emitOk(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  const ack = (await socket.timeout(30_000).emitWithAck(event, payload)) as Ack;
  if (!ack?.ok) throw new Error(`${event} answered ${JSON.stringify(ack).slice(0, 200)}`);
  return ack;
}

/**
 * Sockets shared by many calls, each call on a socket nobody else is using and whose budget for
 * that kind of event has refilled (mux1 allows a socket 20 requests and 5 messages a second):
 * the bench measures how fast an allowed event is answered, never a refusal.
 */
/** Between two requests of one socket: the server allows 20 a second (server/realtime/limits.ts). */
export const SOCKET_REQUEST_GAP_MS = 60;

export class SocketPool {
  private readonly entries: { socket: Socket; busy: boolean; readyAt: Map<string, number> }[];

  constructor(sockets: Socket[]) {
    this.entries = sockets.map((socket) => ({ socket, busy: false, readyAt: new Map() }));
  }

  get size(): number {
    return this.entries.length;
  }

  socket(index: number): Socket {
    return this.entries[index]!.socket;
  }

  /**
   * Runs `work` on a free socket (socket `index` when given) once `gapMs` has passed since that
   * socket last did a `kind`; the wait is not part of what `work` times.
   */
  async use<T>(
    kind: string,
    gapMs: number,
    work: (socket: Socket, index: number) => Promise<T>,
    index?: number,
  ): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now = performance.now();
      const candidates = index === undefined ? this.entries.keys() : [index];
      for (const i of candidates) {
        const e = this.entries[i]!;
        if (e.busy || (e.readyAt.get(kind) ?? 0) > now) continue;
        e.busy = true;
        try {
          return await work(e.socket, i);
        } finally {
          e.busy = false;
          e.readyAt.set(kind, performance.now() + gapMs);
        }
      }
      if (Date.now() > deadline) throw new Error(`no socket free for ${kind} within 60 s`);
      await sleep(2);
    }
  }

  close(): void {
    for (const e of this.entries) e.socket.disconnect();
  }
}

/** Resident set size of another process, in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest seen. */
export function sampleRss(pid: number, everyMs = 20): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process is gone; the peak so far stands
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}
