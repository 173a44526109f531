/**
 * The chat pane's cost as scrollback grows, with 10 messages (the baseline) and with 10,000 in the
 * same run: time to the first frame, time for one incoming message to be painted, a keypress's
 * echo in the draft (the key's time to its frame, p50 and p95), the same echo while a burst of
 * messages arrives (500 over one second by default, keys typed meanwhile), and heap after the
 * scrollback is loaded. The list renders only what fits, so none of it may grow with history.
 *
 *   node --expose-gc --import tsx bench/tui-render.tsx [--messages 10000] [--repeat 5] [--keys 60]
 *     [--burst 500] [--burst-ms 1000] [--rounds 2]
 *
 * It measures React's production build, as `mux1` runs it (tui/commands/tui.ts): with NODE_ENV
 * unset it runs itself again in a child with NODE_ENV=production (React picks its build when it
 * loads, so it must be set before). NODE_ENV=development measures the development build.
 *
 * The messages come from an in-process ChatConnection, through the listeners the app subscribes
 * to on the socket's client; the keys go through Ink's stdin as a terminal's bytes. Ink renders as
 * the app has it render (tui/app/render-options.ts): this measures the TUI, not the network.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { loadavg } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import type { ChatConnection, ChatEvents, ChatMessage } from '../tui/app/chat-client.js';
import type { TuiServices } from '../tui/app/services.js';
import type { RestClient } from '../tui/client/rest.js';

if (!process.env.NODE_ENV) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  process.exit(child.status ?? 1);
}
// Loaded only now, in the process that measures, with the build NODE_ENV names.
const { render } = await import('ink');
const { App } = await import('../tui/app/App.js');
const { inkRenderOptions } = await import('../tui/app/render-options.js');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Math.max(1, Number(process.argv[i + 1]) || fallback);
};
const big = arg('--messages', 10_000);
const repeat = arg('--repeat', 5);
const keys = arg('--keys', 60);
const burst = arg('--burst', 500);
const burstMs = arg('--burst-ms', 1000);
const rounds = arg('--rounds', 2);

function localChat() {
  const listeners = {
    message: new Set(),
    presence: new Set(),
    typing: new Set(),
    edited: new Set(),
    deleted: new Set(),
    mention: new Set(),
    read: new Set(),
    moderation: new Set(),
    state: new Set(),
    revoked: new Set(),
  } as {
    [E in keyof ChatEvents]: Set<ChatEvents[E]>;
  };
  const connection: ChatConnection = {
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    send: async () => 0,
    sendTo: async () => {},
    edit: async () => {},
    remove: async () => {},
    markRead: async () => {},
    roomStates: async () => [],
    search: async () => [],
    join: async () => {},
    leave: async () => {},
    history: async () => [],
    conversationWith: async () => ({ room: 'dm:1-2', with: { id: 2, username: 'other' } }),
    typing: () => {},
    moderate: async () => {},
    createPrivateRoom: async () => {},
    setMember: async () => {},
    close: () => {},
  };
  return {
    connection,
    emit: (m: ChatMessage) => listeners.message.forEach((l) => l(m)),
    online: () => listeners.state.forEach((l) => l('connected')),
    subscribed: () => listeners.message.size > 0,
  };
}

const services = (connection: ChatConnection): TuiServices => ({
  serverUrl: 'http://bench.local',
  // Only the resume's `me` is called on the way to the chat.
  rest: () =>
    ({
      me: async () => ({ user: { id: 1, username: 'bench', email: 'b@x', created_at: '' } }),
    }) as unknown as RestClient,
  saveSession: async () => {},
  forgetSession: async () => {},
  connectChat: () => connection,
  bell: false,
});

const until = async (check: () => boolean, timeoutMs = 30_000) => {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
  return performance.now() - start;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

/**
 * A terminal that keeps only the last frame, and when it was written: ink-testing-library keeps
 * every frame, which at 10,000 messages is itself what the heap and the collector would measure.
 * Ink draws the whole screen on every frame (the app fills the terminal), so each write that holds
 * lines is a frame; the escapes around it are left out. That holds while the app's options leave
 * Ink's incrementalRendering off: with it, a write would hold only the lines that changed.
 */
class LastFrameTerminal extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = true;
  last = '';
  frames = 0;
  onFrame?: (frame: string, at: number) => void;
  private waiting: { check: (frame: string) => boolean; resolve: (at: number) => void }[] = [];
  write = (data: string) => {
    if (!data.includes('\n')) return true;
    const at = performance.now();
    this.last = stripVTControlCharacters(data);
    this.frames += 1;
    this.onFrame?.(this.last, at);
    this.waiting = this.waiting.filter((w) => !(w.check(this.last) && (w.resolve(at), true)));
    return true;
  };
  /**
   * When the first frame from now on that passes the check was written. Waiting on the frame
   * rather than polling for it leaves the CPU to the app, and the CPU time measured to it.
   */
  frameWhere(check: (frame: string) => boolean, timeoutMs = 60_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such frame')), timeoutMs);
      this.waiting.push({
        check,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
    });
  }
}

/** A terminal's keyboard: what is typed is read by Ink as a terminal's bytes. */
class Keyboard extends EventEmitter {
  isTTY = true;
  private pending: string | null = null;
  type(bytes: string) {
    this.pending = (this.pending ?? '') + bytes;
    this.emit('readable');
  }
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read() {
    const bytes = this.pending;
    this.pending = null;
    return bytes;
  }
}

/** The draft as the frame shows it: the line after the prompt, the cursor cell trimmed off. */
const draftIn = (frame: string) => {
  const lines = frame.split('\n');
  for (let i = lines.length - 1; i >= 0; i--)
    if (lines[i]!.startsWith('> ')) return lines[i]!.slice(2).trimEnd();
  return undefined;
};
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Letters typed into an empty draft, and the frame's draft reading them: a placeholder reads as none. */
const echoed = (frame: string, typed: string) => {
  const shown = draftIn(frame) ?? '';
  return typed.startsWith(shown) ? shown.length : 0;
};

async function measure(scrollback: number) {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const chat = localChat();
  const started = performance.now();
  const terminal = new LastFrameTerminal();
  const keyboard = new Keyboard();
  // The app's own options (tui/app/render-options.ts, as runTui renders), on this terminal.
  const app = render(<App services={services(chat.connection)} storedToken="t" />, {
    ...inkRenderOptions,
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: keyboard as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const lastFrame = () => terminal.last;
  await until(() => lastFrame().includes('#lobby'));
  const firstFrameMs = performance.now() - started;
  await until(chat.subscribed);
  chat.online();
  let id = 0;
  const message = (text: string): ChatMessage => ({
    id: ++id,
    room: 'lobby',
    user: { id: 2, username: 'peer' },
    text,
    ts: Date.now(),
  });
  for (let i = 1; i <= scrollback; i++) chat.emit(message(`history line ${i}`));
  await until(() => lastFrame().includes(`history line ${scrollback}`));
  await sleep(100);
  global.gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

  const paints: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const text = `fresh message ${r}`;
    // Past the frame limit's window, as a message arriving on a quiet screen.
    await sleep(50);
    const painted = terminal.frameWhere((frame) => frame.includes(text));
    const t0 = performance.now();
    chat.emit(message(text));
    paints.push((await painted) - t0);
  }

  /** Empties the draft (Ctrl-U) and waits for the placeholder. */
  const clearDraft = async () => {
    // The placeholder follows the cursor's cell: the typed letters start the line.
    const empty = (frame: string) => !/^[a-z]/.test(draftIn(frame) ?? 'x');
    if (!empty(lastFrame())) {
      const cleared = terminal.frameWhere(empty);
      keyboard.type('\u0015');
      await cleared;
    }
    await sleep(50);
  };

  // Keys typed one at a time, each after the last was shown, with a typist's pause between them.
  const echoes: number[] = [];
  // The CPU the process spent from the key to its frame: what the load average does not change.
  const keyCpu: number[] = [];
  await clearDraft();
  let typed = '';
  for (let k = 0; k < keys; k++) {
    if (typed.length === 40) {
      await clearDraft();
      typed = '';
    }
    const letter = LETTERS[k % LETTERS.length]!;
    typed += letter;
    const expected = typed;
    await sleep(40 + Math.random() * 40);
    let cpu: NodeJS.CpuUsage | undefined;
    const cpu0 = process.cpuUsage();
    const shown = terminal.frameWhere((frame) => {
      if (echoed(frame, expected) !== expected.length) return false;
      cpu = process.cpuUsage(cpu0);
      return true;
    });
    const t0 = performance.now();
    keyboard.type(letter);
    echoes.push((await shown) - t0);
    keyCpu.push((cpu!.user + cpu!.system) / 1000);
  }
  await clearDraft();

  // A burst: messages due evenly over burstMs, keys due every 20 ms, both as they fall due. A key's
  // echo counts from when it was due, so a busy event loop shows up as the wait it makes.
  const burstKeys = Math.min(LETTERS.length * 3, Math.floor(burstMs / 20));
  const keyDue: number[] = [];
  const keyShown: number[] = [];
  let burstTyped = '';
  let lastShownText = '';
  terminal.onFrame = (frame, at) => {
    const n = echoed(frame, burstTyped);
    for (let k = keyShown.length; k < n; k++) keyShown.push(at - keyDue[k]!);
    lastShownText = frame;
  };
  const framesBefore = terminal.frames;
  const t0 = performance.now();
  let sent = 0;
  const cpuBefore = process.cpuUsage();
  // One message, or one key, a turn of the event loop, as each arrives from a socket or a terminal
  // on its own: React renders once a turn, so this is as many renders as the app would make.
  while (sent < burst || keyDue.length < burstKeys) {
    const now = performance.now() - t0;
    const messageDue = sent < burst && (sent * burstMs) / burst <= now;
    const keyIsDue = keyDue.length < burstKeys && keyDue.length * 20 <= now;
    if (messageDue) chat.emit(message(`burst ${++sent}`));
    if (keyIsDue) {
      keyDue.push(t0 + keyDue.length * 20);
      const letter = LETTERS[(keyDue.length - 1) % LETTERS.length]!;
      burstTyped += letter;
      keyboard.type(letter);
    }
    await (messageDue || keyIsDue ? new Promise((r) => setImmediate(r)) : sleep(1));
  }
  const sentMs = performance.now() - t0;
  if (!(keyShown.length === burstKeys && lastShownText.includes(`burst ${burst}\n`))) {
    await terminal.frameWhere(
      () => keyShown.length === burstKeys && lastShownText.includes(`burst ${burst}\n`),
    );
  }
  const burstDoneMs = performance.now() - t0;
  const burstCpu = process.cpuUsage(cpuBefore);
  const burstCpuMs = (burstCpu.user + burstCpu.system) / 1000;
  const burstFrames = terminal.frames - framesBefore;
  terminal.onFrame = undefined;
  app.unmount();
  return {
    firstFrame: [firstFrameMs],
    paint: paints,
    key: echoes,
    keyCpu,
    burstKey: keyShown,
    burstSent: [sentMs],
    burstDone: [burstDoneMs],
    burstCpu: [burstCpuMs],
    burstFrames: [burstFrames],
    heap: [heapMiB],
  };
}
type Samples = Awaited<ReturnType<typeof measure>>;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average at the start: ${load()}`);
// The first render also loads and compiles Ink and React: reported on its own, then warm runs,
// the two sizes in turn so that the machine's drift weighs on both; their samples are pooled.
const cold = await measure(10);
const pooled = (all: Samples[]) =>
  Object.fromEntries(
    Object.keys(all[0]!).map((k) => [k, all.flatMap((one) => one[k as keyof Samples])]),
  ) as Samples;
const bases: Samples[] = [];
const heavies: Samples[] = [];
for (let r = 0; r < rounds; r++) {
  bases.push(await measure(10));
  heavies.push(await measure(big));
  console.log(`round ${r + 1} of ${rounds} done, load average ${load()}`);
}
const base = pooled(bases);
const heavy = pooled(heavies);
console.log(`first frame of a fresh process (modules loading): ${cold.firstFrame[0]!.toFixed(1)} ms`);
const row = (name: string, pick: (s: Samples) => number, unit: string) => {
  const b = pick(base);
  const h = pick(heavy);
  return `${name.padEnd(42)} ${b.toFixed(1).padStart(9)} ${h.toFixed(1).padStart(11)} ${unit.padEnd(4)} ${(h / b).toFixed(2).padStart(6)}`;
};
console.log(
  `${`TUI chat pane, ${rounds} rounds pooled`.padEnd(42)} ${'10 msgs'.padStart(9)} ${`${big} msgs`.padStart(11)} unit  ratio`,
);
console.log(row('time to first frame (p50)', (s) => median(s.firstFrame), 'ms'));
console.log(row(`paint one incoming message (p50)`, (s) => median(s.paint), 'ms'));
console.log(row(`key echo (p50)`, (s) => median(s.key), 'ms'));
console.log(row(`key echo (p95)`, (s) => quantile(s.key, 0.95), 'ms'));
console.log(row(`key echo, CPU time (p50)`, (s) => median(s.keyCpu), 'ms'));
console.log(row(`key echo, CPU time (p95)`, (s) => quantile(s.keyCpu, 0.95), 'ms'));
console.log(row(`key echo during the burst (p50)`, (s) => median(s.burstKey), 'ms'));
console.log(row(`key echo during the burst (p95)`, (s) => quantile(s.burstKey, 0.95), 'ms'));
console.log(row(`burst: last message painted after (p50)`, (s) => median(s.burstDone), 'ms'));
console.log(row(`burst: CPU time until then (p50)`, (s) => median(s.burstCpu), 'ms'));
console.log(row(`burst: frames drawn (p50)`, (s) => median(s.burstFrames), ''));
console.log(row('heap growth with scrollback (p50)', (s) => median(s.heap), 'MiB'));
console.log(
  `samples per size: ${base.paint.length} paints, ${base.key.length} keys, ${base.burstKey.length} keys in ${rounds} bursts ` +
    `of ${burst} messages over ${burstMs} ms with a key due every 20 ms (sent in ${median(base.burstSent).toFixed(0)} and ${median(heavy.burstSent).toFixed(0)} ms)`,
);
console.log(
  `React ${process.env.NODE_ENV === 'production' ? 'production' : 'development'} build (NODE_ENV=${process.env.NODE_ENV ?? ''}, ` +
    `as mux1 runs it with NODE_ENV unset: tui/commands/tui.ts)`,
);
console.log(`Ink render options (tui/app/render-options.ts): ${JSON.stringify(inkRenderOptions)}`);
console.log(`targets: key echo p95 at ${big} < 16 ms and <= 1.2x of 10; during the burst p95 < 50 ms`);
console.log(`load average at the end: ${load()}`);
process.exit(0);
