import type { z } from 'zod';
import { AppError } from '../errors.js';
import { refuseUnstorableText } from '../text-guard.js';

/**
 * Parses a request body with its schema; the first problem becomes a 400 naming the field.
 * Weak passwords and taken usernames are the accounts rules' to report, not the schema's.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_field', 400, 'request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) {
    refuseUnstorableText(result.data);
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  const message =
    issue.code === 'invalid_type' && issue.input === undefined
      ? `${field ?? 'a field'} is required`
      : issue.message;
  throw new AppError('invalid_field', 400, message, field ? { field } : {});
}
