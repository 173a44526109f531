import type { z } from 'zod';
import { AppError } from '../errors.js';
import { parse } from '../validate.js';

/**
 * A `__proto__` key anywhere in an event payload is refused, as the REST body parser refuses
 * it: the schemas would drop it, but whatever reads a payload before them (or after, some
 * day) must never see one. The walk is bounded by the 16 KiB frame the payload came in.
 */
export function refuseProtoKeys(payload: unknown): void {
  const stack: unknown[] = [payload];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) {
      throw new AppError('invalid_field', 'the payload must not contain a __proto__ key');
    }
    for (const item of Object.values(v)) stack.push(item);
  }
}

/** Parses an event payload with its schema (server/validate.ts); the first problem is thrown. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  refuseProtoKeys(payload);
  return parse(schema, payload);
}
