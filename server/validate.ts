import type { z } from 'zod';
import { AppError } from './errors.js';
import type { ErrorCode } from './protocol.js';

/**
 * What the doors (REST bodies and queries, Socket.IO payloads) share when they read input: one
 * zod schema per input, the first problem as an AppError naming the field, and text that could
 * not be stored as sent refused before anything reads it.
 */

/**
 * The AppError for a schema's problem: `invalid_field` naming the top-level field, unless the
 * schema gave a custom issue a code of its own in `params.code` (`message_empty`, ...).
 */
export function fromZod(issue: z.core.$ZodIssue): AppError {
  const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  const own = issue.code === 'custom' ? (issue.params as { code?: ErrorCode } | undefined)?.code : undefined;
  const message =
    issue.code === 'invalid_type' && issue.input === undefined && field
      ? `${field} is required`
      : issue.message;
  return new AppError(own ?? 'invalid_field', message, field ? { field } : {});
}

/** Parses `input` with `schema`, or throws the first problem (fromZod). */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw fromZod(result.error.issues[0]!);
  refuseUnstorableText(result.data);
  return result.data;
}

/**
 * Fields that are only ever hashed, never stored or looked up as text: they may hold anything.
 */
const HASHED_ONLY = new Set(['password', 'current_password']);

// In a `u` regex a surrogate range matches only a surrogate without its pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Text that cannot be stored as it was sent is refused at the door as an invalid field, before
 * any query, so a request behaves the same on both databases and nothing is silently changed:
 * U+0000 (PostgreSQL's text type cannot hold it; a query carrying one fails, while SQLite stores
 * it) and a lone surrogate (not Unicode: UTF-8 has no encoding for it, so either database would
 * keep U+FFFD instead). Names the top-level field.
 */
export function refuseUnstorableText(value: unknown): void {
  const stack: [unknown, string | undefined][] = [[value, undefined]];
  while (stack.length > 0) {
    const [v, field] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = v.includes('\u0000')
        ? 'must not contain the NUL character (U+0000)'
        : LONE_SURROGATE.test(v)
          ? 'must be valid Unicode text (it holds half of a surrogate pair)'
          : undefined;
      if (problem)
        throw new AppError('invalid_field', `${field ?? 'the text'} ${problem}`, field ? { field } : {});
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push([item, field]);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        if (field === undefined && HASHED_ONLY.has(key)) continue;
        stack.push([item, field ?? key]);
      }
    }
  }
}
