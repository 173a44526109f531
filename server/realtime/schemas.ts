import { z } from 'zod';
import { CHAT, dmParties, LIMITS, MODERATION, MODERATION_ACTIONS } from '../protocol.js';
import { loginIdField, loginPasswordField } from '../accounts/fields.js';

// One schema per event payload. Issues that deserve their own code carry it in `params.code`.

export const roomName = z
  .string({ error: 'room must be a string' })
  .regex(CHAT.roomPattern, `room must be 1-${CHAT.roomMax} characters of a-z, 0-9, _ and -`);

/** A public room, or a direct message room `dm:a-b` (a < b); who may use it is checked later. */
export const anyRoomName = z
  .string({ error: 'room must be a string' })
  .refine(
    (room) => CHAT.roomPattern.test(room) || dmParties(room) !== undefined,
    `room must be 1-${CHAT.roomMax} characters of a-z, 0-9, _ and -, or dm:A-B for direct messages`,
  );

/** Someone to write to or block, named as stored: trimmed and lower-cased. */
const username = (field: string) =>
  z
    .string({ error: `${field} must be a username` })
    .max(LIMITS.emailMax, `${field} must be a username`)
    .transform((name) => name.trim().toLowerCase())
    .refine(
      (name) => new RegExp(`^[a-z0-9_.-]{${LIMITS.usernameMin},${LIMITS.usernameMax}}$`).test(name),
      `${field} must be a username`,
    );

/** Counted in code points, so an emoji is one character, as a person would count it. */
const messageText = z.string({ error: 'text must be a string' }).superRefine((text, ctx) => {
  if (text.trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'message is empty', params: { code: 'message_empty' } });
  } else if (text.length > LIMITS.messageMax && [...text].length > LIMITS.messageMax) {
    ctx.addIssue({
      code: 'custom',
      message: `message is longer than ${LIMITS.messageMax} characters`,
      params: { code: 'message_too_long' },
    });
  }
});

const clientId = z
  .string({ error: 'client_id must be a string' })
  .regex(CHAT.clientIdPattern, `client_id must be 1-${CHAT.clientIdMax} visible ASCII characters`);

/**
 * A bare string is the text of a message to the default room; `to` names the user of a direct
 * message, and `room` may name a direct message room too.
 */
export const messagePayload = z.preprocess(
  (payload) => (typeof payload === 'string' ? { text: payload } : payload),
  z
    .object(
      {
        room: anyRoomName.optional(),
        to: username('to').optional(),
        text: messageText,
        client_id: clientId.optional(),
      },
      { error: 'send a string or {room, text, client_id?} or {to, text, client_id?}' },
    )
    .refine((p) => p.room === undefined || p.to === undefined, {
      message: 'send room (a room) or to (a user), not both',
      path: ['to'],
    }),
);

export const roomPayload = z.object({ room: roomName }, { error: 'send {room}' });

/** join and leave: direct message rooms are named so that outsiders get `forbidden`, not a syntax error. */
export const anyRoomPayload = z.object({ room: anyRoomName }, { error: 'send {room}' });

const requiredId = (field: string) =>
  z
    .number({ error: `${field} must be a message id` })
    .int(`${field} must be a message id`)
    .positive(`${field} must be a message id`)
    .max(Number.MAX_SAFE_INTEGER, `${field} must be a message id`);

export const editPayload = z.object(
  { id: requiredId('id'), text: messageText },
  { error: 'send {id, text}' },
);

export const deletePayload = z.object({ id: requiredId('id') }, { error: 'send {id}' });

export const readPayload = z.object(
  { room: anyRoomName, id: requiredId('id') },
  { error: 'send {room, id}' },
);

export const blockPayload = z.object({ username: username('username') }, { error: 'send {username}' });

/** `rooms` takes nothing; whatever a client sends along is ignored, as long as it is no trap. */
export const roomsPayload = z.union([z.undefined(), z.null(), z.object({})], { error: 'send {} or nothing' });

export const searchPayload = z.object(
  {
    query: z
      .string({ error: 'query must be a string' })
      .max(CHAT.searchQueryMax, `query must be at most ${CHAT.searchQueryMax} characters`),
    room: anyRoomName.optional(),
    limit: z
      .number({ error: `limit must be a whole number from 1 to ${CHAT.searchMax}` })
      .int(`limit must be a whole number from 1 to ${CHAT.searchMax}`)
      .min(1, `limit must be a whole number from 1 to ${CHAT.searchMax}`)
      .max(CHAT.searchMax, `limit must be a whole number from 1 to ${CHAT.searchMax}`)
      .default(CHAT.searchDefault),
  },
  { error: 'send {query, room?, limit?}' },
);

const messageId = (field: string) =>
  z
    .number({ error: `${field} must be a message id` })
    .int(`${field} must be a message id`)
    .positive(`${field} must be a message id`)
    .optional();

export const historyPayload = z
  .object(
    {
      room: anyRoomName.optional(),
      with: username('with').optional(),
      before: messageId('before'),
      after: messageId('after'),
      limit: z
        .number({ error: `limit must be a whole number from 1 to ${CHAT.historyMax}` })
        .int(`limit must be a whole number from 1 to ${CHAT.historyMax}`)
        .min(1, `limit must be a whole number from 1 to ${CHAT.historyMax}`)
        .max(CHAT.historyMax, `limit must be a whole number from 1 to ${CHAT.historyMax}`)
        .default(CHAT.historyDefault),
    },
    { error: 'send {room, before?, after?, limit?}' },
  )
  .refine((p) => (p.room === undefined) !== (p.with === undefined), {
    message: 'send room (a room) or with (a username)',
    path: ['room'],
  })
  .refine((p) => p.before === undefined || p.after === undefined, {
    message: 'send before (older messages) or after (newer messages), not both',
    path: ['after'],
  });

export const tokenPayload = z.object({
  token: z
    .string({ error: 'token must be a string' })
    .min(1, 'token is required')
    .max(512, 'token is invalid'),
});

export const credentialsPayload = z.object(
  {
    username: loginIdField,
    password: loginPasswordField,
    // A solved proof-of-work challenge, when the last answer asked for one.
    altcha: z.string({ error: 'altcha must be a string' }).max(2000, 'altcha is too long').optional(),
  },
  { error: 'send {username, password} or {token}' },
);

/** `{token}` when a token is given, else `{username, password}`: one clear error either way. */
export const authenticateSchemaFor = (payload: unknown) =>
  typeof payload === 'object' && payload !== null && 'token' in payload ? tokenPayload : credentialsPayload;

const minutes = z
  .number({
    error: `minutes must be a whole number from ${MODERATION.minutesMin} to ${MODERATION.minutesMax}`,
  })
  .int(`minutes must be a whole number from ${MODERATION.minutesMin} to ${MODERATION.minutesMax}`)
  .min(
    MODERATION.minutesMin,
    `minutes must be a whole number from ${MODERATION.minutesMin} to ${MODERATION.minutesMax}`,
  )
  .max(
    MODERATION.minutesMax,
    `minutes must be a whole number from ${MODERATION.minutesMin} to ${MODERATION.minutesMax}`,
  );

const userId = z
  .number({ error: 'user_id must be a user id' })
  .int('user_id must be a user id')
  .positive('user_id must be a user id')
  .max(Number.MAX_SAFE_INTEGER, 'user_id must be a user id');

/**
 * `moderate`: which fields an action needs is the rules' to say, with the field named. The member
 * is `user_id`, or `username` for a client that knows only the name (a terminal's `/ban NAME`).
 */
export const moderatePayload = z
  .object(
    {
      action: z.enum(MODERATION_ACTIONS, {
        error: `action must be one of ${MODERATION_ACTIONS.join(', ')}`,
      }),
      room: anyRoomName,
      user_id: userId.optional(),
      username: username('username').optional(),
      message_id: requiredId('message_id').optional(),
      minutes: minutes.optional(),
    },
    { error: 'send {action, room, user_id?, message_id?, minutes?}' },
  )
  .refine((p) => p.user_id === undefined || p.username === undefined, {
    message: 'send user_id or username, not both',
    path: ['username'],
  });

/** `create`: only private rooms are made this way; a public room exists as soon as someone joins. */
export const createRoomPayload = z.object(
  {
    room: roomName,
    private: z.literal(true, { error: 'private must be true: public rooms need no creating, join them' }),
  },
  { error: 'send {room, private: true}' },
);

export const roomMemberPayload = z.object(
  { room: anyRoomName, username: username('username') },
  { error: 'send {room, username}' },
);
