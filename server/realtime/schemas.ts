import { z } from 'zod';
import { CHAT, LIMITS } from '../protocol.js';
import { loginIdField, loginPasswordField } from '../accounts/fields.js';

// One schema per event payload. Issues that deserve their own code carry it in `params.code`.

export const roomName = z
  .string({ error: 'room must be a string' })
  .regex(CHAT.roomPattern, `room must be 1-${CHAT.roomMax} characters of a-z, 0-9, _ and -`);

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

/** A bare string is the text of a message to the default room. */
export const messagePayload = z.preprocess(
  (payload) => (typeof payload === 'string' ? { text: payload } : payload),
  z.object(
    { room: roomName.default(CHAT.defaultRoom), text: messageText, client_id: clientId.optional() },
    { error: 'send a string or {room, text, client_id?}' },
  ),
);

export const roomPayload = z.object({ room: roomName }, { error: 'send {room}' });

const messageId = (field: string) =>
  z
    .number({ error: `${field} must be a message id` })
    .int(`${field} must be a message id`)
    .positive(`${field} must be a message id`)
    .optional();

export const historyPayload = z
  .object(
    {
      room: roomName,
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
