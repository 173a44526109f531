import type { z } from 'zod';
import { AppError } from '../../errors.js';

/** Query strings have one value per key; a repeated key is a mistake, not a list. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: Record<string, string | string[] | undefined>,
) {
  const result = schema.safeParse(query);
  if (result.success) return result.data as z.output<S>;
  const issue = result.error.issues[0]!;
  const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  throw new AppError('invalid_field', 400, issue.message, field ? { field } : {});
}
