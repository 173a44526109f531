/**
 * The chat pane's cost as scrollback grows: time to the first frame, time for one incoming
 * message to be painted, and heap after the scrollback is loaded - with 10 messages (the
 * baseline) and with 10,000, in the same run. The list renders only what fits, so painting
 * must not grow with history.
 *
 *   node --expose-gc --import tsx bench/tui-render.tsx [--messages 10000] [--repeat 5]
 *
 * The messages come from an in-process ChatConnection: this measures the TUI, not the network.
 */
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { App } from '../tui/app/App.js';
import type { ChatConnection, ChatEvents, ChatMessage } from '../tui/app/chat-client.js';
import type { TuiServices } from '../tui/app/services.js';
import type { RestClient } from '../tui/client/rest.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Math.max(1, Number(process.argv[i + 1]) || fallback);
};
const big = arg('--messages', 10_000);
const repeat = arg('--repeat', 5);

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
});

const until = async (check: () => boolean, timeoutMs = 20_000) => {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
  return performance.now() - start;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * A terminal that keeps only the last frame: ink-testing-library keeps every frame, which at
 * 10,000 messages is itself what the heap and the collector would measure.
 */
class LastFrameTerminal extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = true;
  last = '';
  write = (frame: string) => {
    this.last = frame;
    return true;
  };
}

class SilentInput extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read() {
    return null;
  }
}

async function measure(scrollback: number) {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const chat = localChat();
  const started = performance.now();
  const terminal = new LastFrameTerminal();
  const app = render(<App services={services(chat.connection)} storedToken="t" />, {
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: new SilentInput() as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const lastFrame = () => terminal.last;
  await until(() => lastFrame().includes('#lobby'));
  const firstFrameMs = performance.now() - started;
  await until(chat.subscribed);
  chat.online();
  for (let i = 1; i <= scrollback; i++) {
    chat.emit({
      id: i,
      room: 'lobby',
      user: { id: 2, username: 'peer' },
      text: `history line ${i}`,
      ts: Date.now(),
    });
  }
  await until(() => lastFrame().includes(`history line ${scrollback}`));
  global.gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  const paints: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const text = `fresh message ${r}`;
    const t0 = performance.now();
    chat.emit({
      id: scrollback + 1 + r,
      room: 'lobby',
      user: { id: 2, username: 'peer' },
      text,
      ts: Date.now(),
    });
    await until(() => lastFrame().includes(text));
    paints.push(performance.now() - t0);
  }
  app.unmount();
  return { firstFrameMs, paintMs: median(paints), heapMiB };
}

// The first render also loads and compiles Ink and React: reported on its own, then warm runs.
const cold = await measure(10);
const base = await measure(10);
const heavy = await measure(big);
console.log(`first frame of a fresh process (modules loading): ${cold.firstFrameMs.toFixed(1)} ms`);
const row = (name: string, b: number, h: number, unit: string) =>
  `${name.padEnd(34)} ${b.toFixed(1).padStart(9)} ${h.toFixed(1).padStart(11)} ${unit.padEnd(4)} ${(h / b).toFixed(2).padStart(6)}`;
console.log(
  `${'TUI chat pane'.padEnd(34)} ${'10 msgs'.padStart(9)} ${`${big} msgs`.padStart(11)} unit  ratio`,
);
console.log(row('time to first frame', base.firstFrameMs, heavy.firstFrameMs, 'ms'));
console.log(row('paint one incoming message (p50)', base.paintMs, heavy.paintMs, 'ms'));
console.log(row('heap growth with scrollback', base.heapMiB, heavy.heapMiB, 'MiB'));
process.exit(0);
