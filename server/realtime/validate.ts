import type { z } from 'zod';
import { AppError } from '../errors.js';
import { refuseUnstorableText } from '../text-guard.js';
import { refuseProtoKeys } from './proto-keys.js';

/**
 * Parses an event payload with its schema; the first problem becomes an AppError, coded
 * `invalid_field` unless the schema gave the issue a code of its own.
 */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  refuseProtoKeys(payload);
  const result = schema.safeParse(payload);
  if (result.success) {
    refuseUnstorableText(result.data);
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  const own = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  const message =
    issue.code === 'invalid_type' && issue.input === undefined && field
      ? `${field} is required`
      : issue.message;
  throw new AppError(typeof own === 'string' ? own : 'invalid_field', 400, message, field ? { field } : {});
}
