import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import type { DeviceCodeBody, LoginBody } from '../../server/protocol.js';
import { DEVICE } from '../../server/protocol.js';
import { Mux1Error } from './errors.js';
import type { RestClient } from './rest.js';
import { safeText } from './safe-text.js';

/*
 * Device login (RFC 8628) from the client's side, shared by `mux1 login --web` and the TUI: ask
 * for codes, show them, and poll until the browser approves (or denies, or the codes expire),
 * waiting `interval` between polls and 5 seconds longer after each `slow_down`, as the RFC says.
 */

/** What the terminal calls itself: shown to the approver and in the sessions list. */
export function deviceClientName(program = 'mux1 CLI'): string {
  const host = hostname()
    .replace(/[^\p{L}\p{N}._-]/gu, '')
    .slice(0, 40);
  return (host ? `${program} on ${host}` : program).slice(0, DEVICE.clientNameMax);
}

/** Waits `ms`, or rejects with `cancelled` when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Mux1Error('cancelled', 'the browser login was cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(new Mux1Error('cancelled', 'the browser login was cancelled'));
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Transport failures a poll rides out: the next poll may well get through. */
const PASSING = new Set(['timeout', 'unreachable', 'service_unavailable', 'server_busy', 'rate_limited']);

export interface DeviceLoginOptions {
  clientName: string;
  /** Called once with the codes, to show them. */
  onCode: (codes: DeviceCodeBody) => void;
  signal?: AbortSignal;
  /** How the wait between polls is made (tests may shorten it). */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The whole flow: resolves with the login body once approved; rejects with the server's refusal. */
export async function deviceLogin(rest: RestClient, options: DeviceLoginOptions): Promise<LoginBody> {
  const wait = options.wait ?? pause;
  const codes = checkedCodes(await rest.deviceCode({ client_name: options.clientName }), rest.server);
  options.onCode(codes);
  let interval = codes.interval;
  const giveUpAt = Date.now() + codes.expires_in * 1000;
  for (;;) {
    await wait(interval * 1000, options.signal);
    try {
      return await rest.deviceToken({ device_code: codes.device_code });
    } catch (err) {
      if (!Mux1Error.is(err)) throw err;
      if (err.code === 'authorization_pending') continue;
      if (err.code === 'slow_down') {
        interval += DEVICE.slowDownSeconds;
        continue;
      }
      if (PASSING.has(err.code) && Date.now() < giveUpAt) {
        if (err.retryAfterS) interval = Math.max(interval, err.retryAfterS);
        continue;
      }
      throw err;
    }
  }
}

/**
 * The server's answer, made safe to print and to open: what it says goes to the terminal and, as
 * a URL, to the desktop's opener, so a hostile or broken server must get neither escape sequences
 * onto the screen nor a `file:` or other non-web address into a browser.
 */
function checkedCodes(codes: DeviceCodeBody, server: string): DeviceCodeBody {
  const web = (uri: unknown): string | undefined => {
    if (typeof uri !== 'string' || uri.length > 2000) return undefined;
    try {
      const url = new URL(uri);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
    } catch {
      return undefined;
    }
  };
  const page = web(codes.verification_uri);
  const complete = web(codes.verification_uri_complete) ?? page;
  const ok =
    typeof codes.device_code === 'string' &&
    typeof codes.user_code === 'string' &&
    codes.user_code.length <= 64 &&
    Number.isFinite(codes.interval) &&
    Number.isFinite(codes.expires_in);
  if (!ok || !page || !complete) {
    throw new Mux1Error(
      'unexpected_response',
      `The server at ${server} answered device login with something else`,
    );
  }
  return {
    ...codes,
    user_code: safeText(codes.user_code),
    verification_uri: safeText(page),
    verification_uri_complete: safeText(complete),
    // At least a second between polls, and half an hour in all at most, whatever the server says.
    interval: Math.min(Math.max(codes.interval, 1), 60),
    expires_in: Math.min(Math.max(codes.expires_in, 1), 1800),
  };
}

/**
 * Whether opening a browser makes sense here: never in CI or when the output is not a terminal
 * (a script, a pipe, a test), and on Linux and the BSDs only with a graphical display.
 */
export function canOpenBrowser(
  env: NodeJS.ProcessEnv = process.env,
  stdoutTty = process.stdout.isTTY,
): boolean {
  if (env.CI || !stdoutTty) return false;
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Opens `url` in the desktop's browser, without waiting and without failing: the URL is printed
 * anyway, so a missing opener only means the person clicks or types it.
 */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // Nothing to do: the URL is on the screen.
  }
}
