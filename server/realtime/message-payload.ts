import type { z } from 'zod';
import { CHAT, LIMITS } from '../protocol.js';
import { isStorableText } from '../validate.js';
import { messagePayload } from './schemas.js';
import { parsePayload } from './validate.js';

export type MessagePayload = z.output<typeof messagePayload>;

/**
 * A `message` payload, as parsePayload(messagePayload) reads it. Nearly every message is a text
 * to a public room, `{room?, text, client_id?}` or a bare string, and is read here without the
 * schema: its walks for `__proto__` keys and unstorable text and zod's checks cost a message
 * more than any other part of reading it. Anything else - a direct message, a field the schema
 * would drop, anything the schema might refuse - goes to the schema, so every refusal is the
 * schema's, word for word. What is read here is only ever what the schema would answer: a text
 * of at most LIMITS.messageMax UTF-16 units (so of at most as many code points) that is not
 * blank and can be stored, a public room name, a client id.
 */
export function readMessagePayload(payload: unknown): MessagePayload {
  return plainMessage(payload) ?? parsePayload(messagePayload, payload);
}

const acceptedText = (text: unknown): text is string =>
  typeof text === 'string' && text.length <= LIMITS.messageMax && text.trim() !== '' && isStorableText(text);

function plainMessage(payload: unknown): MessagePayload | undefined {
  if (typeof payload === 'string') return acceptedText(payload) ? { text: payload } : undefined;
  // A plain object, as JSON decodes one, holding the schema's keys only: it is what the schema answers.
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Object.getPrototypeOf(payload) !== Object.prototype
  ) {
    return undefined;
  }
  for (const key in payload) if (key !== 'room' && key !== 'text' && key !== 'client_id') return undefined;
  const { room, text, client_id } = payload as Record<string, unknown>;
  if (!acceptedText(text)) return undefined;
  if (room !== undefined && (typeof room !== 'string' || !CHAT.roomPattern.test(room))) return undefined;
  if (client_id !== undefined && (typeof client_id !== 'string' || !CHAT.clientIdPattern.test(client_id))) {
    return undefined;
  }
  return payload as MessagePayload;
}
