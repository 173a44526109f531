import { expect } from 'chai';
import { io, type Socket } from 'socket.io-client';
import type {
  AuthErrorEvent,
  ClientToServerEvents,
  ConnectedEvent,
  ServerToClientEvents,
} from '../../server/protocol.js';
import { type TestServer } from './server.js';
import { logIn, newPerson, signUp, type Person } from './accounts.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ChatPerson extends Person {
  id: number;
  token: string;
}

/**
 * A verified account with a session token. Verification is marked in the database: the mail
 * round trip has its own tests, and chat tests need many accounts quickly.
 */
export async function chatPerson(t: TestServer, prefix = 'chat'): Promise<ChatPerson> {
  const p = newPerson(prefix);
  expect((await signUp(t.url, p)).status, 'signup').to.equal(201);
  await t.server.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
  const res = await logIn(t.url, p.username, p.password);
  expect(res.status, 'login').to.equal(200);
  return { ...p, id: res.body.user.id, token: res.body.token };
}

const open: ClientSocket[] = [];

export interface ConnectOptions {
  token?: string;
  auth?: Record<string, unknown>;
  transports?: ('polling' | 'websocket')[];
  reconnection?: boolean;
  extraHeaders?: Record<string, string>;
}

/** A real socket.io-client connection, resolved once the server's `connected` greeting arrived. */
export async function connect(
  url: string,
  options: ConnectOptions = {},
): Promise<{ socket: ClientSocket; hello: ConnectedEvent; authErrors: AuthErrorEvent[] }> {
  const socket: ClientSocket = io(url, {
    forceNew: true,
    reconnection: options.reconnection ?? false,
    transports: options.transports ?? ['websocket'],
    auth: options.auth ?? (options.token ? { token: options.token } : {}),
    extraHeaders: options.extraHeaders,
  });
  open.push(socket);
  // The server sends auth_error right after the greeting: listen before it can arrive.
  const authErrors = record(socket, 'auth_error');
  const hello = await new Promise<ConnectedEvent>((resolve, reject) => {
    socket.once('connected', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, hello, authErrors };
}

/** Connects and fails the test unless the greeting names `person`. */
export async function connectAs(url: string, person: ChatPerson, options: ConnectOptions = {}) {
  const { socket, hello } = await connect(url, { ...options, token: person.token });
  expect(hello.user, 'greeting').to.deep.equal({ id: person.id, username: person.username });
  return socket;
}

/** Closes every socket the tests opened. */
export function disconnectAll(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

/** The socket seen as a plain emitter, for helpers generic over event names. */
type Listener = (payload: any) => void;
const untyped = (socket: ClientSocket) =>
  socket as unknown as { on(e: string, l: Listener): void; off(e: string, l: Listener): void };

/** Every `event` the socket receives from now on. */
export function record<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  untyped(socket).on(event, (payload) => seen.push(payload));
  return seen;
}

/** The next `event` that matches, or a failure after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  match: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 3000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  const raw = untyped(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      raw.off(event, listener);
      reject(new Error(`no matching '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      raw.off(event, listener);
      resolve(payload);
    };
    raw.on(event, listener);
  });
}

/** Emits with an acknowledgement, untyped on purpose: tests send what a hostile client might. */
export function ask(socket: ClientSocket, event: string, ...args: unknown[]): Promise<any> {
  return (socket as unknown as Socket).timeout(3000).emitWithAck(event, ...args);
}

/** Resolves when the socket disconnects, with the reason. */
export function disconnected(socket: ClientSocket, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

export async function storedTexts(t: TestServer): Promise<string[]> {
  const rows = await t.server.db('messages').orderBy('id').select('text');
  return rows.map((r: { text: string }) => r.text);
}

/**
 * Every message of a burst was acknowledged as stored, with ids in the order the messages were
 * sent: what a connection sends is stored in the order it came.
 */
export function expectStoredInOrder(acks: { ok: boolean; id?: unknown }[]): void {
  expect(acks.every((ack) => ack.ok)).to.equal(true);
  const ids = acks.map((ack) => ack.id as number);
  expect(
    [...ids].sort((p, q) => p - q),
    'ids in the order the messages came',
  ).to.deep.equal(ids);
}

/** Lets in-flight events arrive before a test asserts that something did not happen. */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
