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

/** One field's problem in an answer's `errors` list; `field` is absent for the input as a whole. */
export interface FieldProblem {
  field?: string;
  error: string;
  code: ErrorCode;
}

/** Fields a form can have; a list longer than this comes from a hostile input, not a person. */
const PROBLEMS_MAX = 20;

/**
 * Every problem of a schema's issues, one per top-level field (its first), in the order the schema
 * found them, so a form can show each beside its field at once rather than one per round trip.
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  const seen = new Set<string | undefined>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const err = fromZod(issue);
    const field = err.details.field as string | undefined;
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ ...(field ? { field } : {}), error: err.message, code: err.code });
    if (problems.length === PROBLEMS_MAX) break;
  }
  return problems;
}

/**
 * The AppError for a list of problems: the first one as the contract has always answered it
 * (`error`, `code`, `field`), and the whole list as `errors`.
 */
export function problemsError(problems: readonly FieldProblem[]): AppError {
  const [first] = problems;
  if (!first) throw new Error('problemsError needs at least one problem');
  return new AppError(first.code, first.error, {
    ...(first.field ? { field: first.field } : {}),
    errors: problems.slice(0, PROBLEMS_MAX),
  });
}

/** Parses `input` with `schema`, or throws the first problem (fromZod). */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw fromZod(result.error.issues[0]!);
  refuseUnstorableText(result.data);
  return result.data;
}

/**
 * Parses `input` with `schema` like parse, but a failure lists every field's problem (`errors`,
 * problemsError), with `more(input)` added for the fields the schema passed: the rules a schema
 * cannot state, such as a common password, so that a form learns of them in the same answer.
 */
export function parseAll<S extends z.ZodType>(
  schema: S,
  input: unknown,
  more?: (input: Record<string, unknown>) => FieldProblem[],
): z.output<S> {
  const result = schema.safeParse(input);
  let problems = result.success ? unstorableProblems(result.data) : problemsOf(result.error.issues);
  if (problems.length === 0) return result.data as z.output<S>;
  if (more && typeof input === 'object' && input !== null) {
    const named = new Set(problems.map((p) => p.field));
    problems = [...problems, ...more(input as Record<string, unknown>).filter((p) => !named.has(p.field))];
  }
  throw problemsError(problems);
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
  const [first] = unstorableProblems(value, 1);
  if (first) throw new AppError(first.code, first.error, first.field ? { field: first.field } : {});
}

/** Why refuseUnstorableText refuses `text`, or undefined when it can be stored as sent. */
function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it holds half of a surrogate pair)';
  return undefined;
}

/** True when refuseUnstorableText lets `text` through: for a door that reads a payload itself. */
export const isStorableText = (text: string): boolean => unstorable(text) === undefined;

/** The problems refuseUnstorableText throws the first of: one per top-level field, up to `max`. */
function unstorableProblems(value: unknown, max = PROBLEMS_MAX): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string | undefined>();
  const stack: [unknown, string | undefined][] = [[value, undefined]];
  while (stack.length > 0 && problems.length < max) {
    const [v, field] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorable(v);
      if (problem && !seen.has(field)) {
        seen.add(field);
        problems.push({
          ...(field ? { field } : {}),
          error: `${field ?? 'the text'} ${problem}`,
          code: 'invalid_field',
        });
      }
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push([item, field]);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        if (field === undefined && HASHED_ONLY.has(key)) continue;
        stack.push([item, field ?? key]);
      }
    }
  }
  return problems;
}
