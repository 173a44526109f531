import { expect } from 'chai';
import { AppError } from '../../../server/errors.js';
import { readMessagePayload } from '../../../server/realtime/message-payload.js';
import { messagePayload } from '../../../server/realtime/schemas.js';
import { parsePayload } from '../../../server/realtime/validate.js';
import { SQL_INJECTION, WRONG_VALUES } from '../../helpers/hostile-inputs.js';

/** What a reader answers: the payload it read, or the refusal it threw (code, message, details). */
function outcome(read: (payload: unknown) => unknown, payload: unknown): unknown {
  try {
    return { read: read(payload) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { refused: { code: err.code, message: err.message, details: err.details } };
  }
}

/**
 * readMessagePayload reads the common payloads itself, without the schema: whatever it is given,
 * it must answer what parsePayload(messagePayload) answers - the same payload, or the same
 * refusal - so the shortcut can never let through what the schema refuses, nor read it otherwise.
 */
describe('Socket.IO chat: reading a message payload', () => {
  const texts: unknown[] = [
    'hello',
    ' padded ',
    '',
    '   ',
    '\n\t',
    '\u00a0',
    '\ufeff',
    'a'.repeat(2000),
    'a'.repeat(2001),
    '😀'.repeat(1000),
    '😀'.repeat(2000),
    '😀'.repeat(2001),
    'nul \u0000 inside',
    'lone \ud800 surrogate',
    'pair \ud83d\ude00 ok',
    'mail a@b.example and @bob.',
    ...SQL_INJECTION,
    ...WRONG_VALUES,
  ];
  const rooms: unknown[] = [
    undefined,
    'lobby',
    'room-1',
    'a'.repeat(32),
    'a'.repeat(33),
    'Lobby',
    'with space',
    'dm:1-2',
    'dm:2-1',
    'dm:x',
    '',
    null,
    7,
    ['lobby'],
  ];
  const clientIds: unknown[] = [
    undefined,
    'c-1',
    'x'.repeat(64),
    'x'.repeat(65),
    'with space',
    'é',
    '',
    5,
    null,
  ];

  const payloads: unknown[] = [...texts];
  for (const text of texts.slice(0, 16)) {
    for (const room of rooms) {
      for (const client_id of clientIds) {
        const payload: Record<string, unknown> = { text };
        if (room !== undefined) payload.room = room;
        if (client_id !== undefined) payload.client_id = client_id;
        payloads.push(payload);
      }
    }
  }
  payloads.push(
    undefined,
    null,
    {},
    [],
    ['hello'],
    { room: 'lobby' },
    { text: 'hi', to: 'bob' },
    { text: 'hi', to: 'bob', room: 'lobby' },
    { text: 'hi', extra: 1 },
    { text: 'hi', extra: 'nul \u0000' },
    { text: 'hi', nested: { deeper: ['x'] } },
    JSON.parse('{"text":"hi","__proto__":{"polluted":true}}'),
    JSON.parse('{"text":"hi","room":"lobby","__proto__":null}'),
    Object.assign(Object.create(null) as object, { text: 'no prototype' }),
    Object.assign(Object.create({ room: 'inherited' }) as object, { text: 'odd prototype' }),
    new String('boxed'),
  );

  it('answers every payload as the schema does, read or refused', () => {
    for (const payload of payloads) {
      expect(outcome(readMessagePayload, payload), JSON.stringify(payload)?.slice(0, 80)).to.deep.equal(
        outcome((p) => parsePayload(messagePayload, p), payload),
      );
    }
  });
});
