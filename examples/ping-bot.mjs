#!/usr/bin/env node
// A mux1 bot: answers `!ping` with `pong` in one room, with a personal access token.
//
//   mux1 tokens create --name ping-bot --scope chat:read --scope chat:write
//   MUX1_TOKEN=mux1_pat_... node examples/ping-bot.mjs
//
// Settings, from the environment: MUX1_TOKEN (required), MUX1_SERVER (default
// http://localhost:5000), MUX1_ROOM (default lobby). Plain JavaScript on purpose: it runs with
// `node` alone, and copied into any project it needs only `npm install socket.io-client`.
//
// Staying correct across a lost connection is the point of the example:
// - Socket.IO reconnects by itself, but the server keeps nothing of a dropped socket, so after
//   every (re)connection the bot joins its room again and reads with `history {room, after}` every
//   message newer than the last one it saw: pings sent while it was away are answered then.
// - A ping seen twice (live and in a catch-up page) is answered once: the bot remembers the ids
//   it answered, and sends each pong with `client_id` "pong-<id of the ping>", so even a pong
//   sent again after a lost acknowledgement is stored once - the server skips a repeated client_id.
import { io } from 'socket.io-client';

const token = process.env.MUX1_TOKEN?.trim();
const server = (process.env.MUX1_SERVER ?? 'http://localhost:5000').replace(/\/+$/, '');
const room = process.env.MUX1_ROOM ?? 'lobby';
/** The server's largest history page; a shorter page means the bot has caught up. */
const PAGE = 200;

if (!token) {
  console.error('Set MUX1_TOKEN to a token with the chat:read and chat:write scopes (mux1 tokens create).');
  process.exit(2);
}

const socket = io(server, { auth: { token }, transports: ['websocket'] });
let me = null;
/** The newest message id seen in the room; null until the first connection has looked. */
let lastId = null;
/** Pings answered (or being answered), so a ping seen live and in history gets one pong. */
const answered = new Set();

const log = (line) => console.log(`${new Date().toISOString()} ${line}`);

/** An event with an acknowledgement, as a promise of its `{ok, ...}` answer. */
function ask(event, payload) {
  return new Promise((resolve, reject) => {
    socket.timeout(10_000).emit(event, payload, (err, res) => {
      if (err) reject(new Error(`${event}: no answer`));
      else if (!res.ok) reject(Object.assign(new Error(`${event}: ${res.error}`), { code: res.code }));
      else resolve(res);
    });
  });
}

async function answer(message) {
  if (message.room !== room) return;
  if (lastId === null || message.id > lastId) lastId = message.id;
  if (message.user?.id === me?.id || message.text.trim() !== '!ping' || answered.has(message.id)) return;
  answered.add(message.id);
  await pong(message);
}

/** Pings whose pong was not acknowledged: sent again after the next (re)connection. */
const unanswered = new Map();

async function pong(message) {
  try {
    await ask('message', { room, text: 'pong', client_id: `pong-${message.id}` });
    unanswered.delete(message.id);
    log(`pong to ${message.user?.username ?? 'someone'} (message ${message.id})`);
  } catch (err) {
    // Perhaps stored, perhaps not: sending it again with the same client_id is safe either way.
    unanswered.set(message.id, message);
    log(`no answer to the pong for message ${message.id} (${err.message}); it is sent again later`);
  }
}

/** After every connection: into the room, then everything missed, page by page. */
async function catchUp() {
  await ask('join', { room });
  if (lastId === null) {
    // First start: pings from before the bot existed are not its business.
    const { messages } = await ask('history', { room, limit: 1 });
    lastId = messages.at(-1)?.id ?? 0;
    log(`listening in ${room} on ${server} as ${me?.username}`);
    return;
  }
  for (const message of [...unanswered.values()]) await pong(message);
  for (;;) {
    const { messages } = await ask('history', { room, after: lastId, limit: PAGE });
    for (const message of messages) await answer(message);
    if (messages.length < PAGE) break;
  }
  log(`caught up in ${room} (newest message ${lastId})`);
}

socket.on('connected', ({ user }) => {
  if (!user) return; // auth_error follows and says why
  me = user;
  catchUp().catch((err) => {
    if (err.code === 'insufficient_scope') {
      console.error(`MUX1_TOKEN cannot do this: ${err.message}. The bot needs chat:read and chat:write.`);
      process.exit(1);
    }
    log(`catching up failed: ${err.message}; it is tried again on reconnection`);
  });
});
socket.on('message', (message) => void answer(message));
socket.on('auth_error', ({ error }) => {
  console.error(`The server refused MUX1_TOKEN: ${error}`);
  process.exit(1);
});
socket.on('disconnect', (reason) => {
  log(`disconnected (${reason}); reconnecting`);
  // Socket.IO does not retry by itself when the server ended the socket on purpose; a revoked
  // token gets auth_error on the next try, and the bot stops there.
  if (reason === 'io server disconnect') socket.connect();
});
socket.io.on('reconnect_attempt', (n) => n % 10 === 0 && log(`still reconnecting (attempt ${n})`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    socket.close();
    process.exit(0);
  });
}
