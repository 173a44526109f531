import { AppError } from './errors.js';

/**
 * Fields that are only ever hashed, never stored or looked up as text: they may hold anything.
 */
const HASHED_ONLY = new Set(['password', 'current_password']);

/**
 * PostgreSQL's text type cannot hold U+0000 (a query carrying one fails), while SQLite stores it.
 * So that a request behaves the same on both, a validated body or event payload whose text holds
 * U+0000 is refused at the door as an invalid field, before any query. Names the top-level field.
 */
export function refuseNul(value: unknown): void {
  const stack: [unknown, string | undefined][] = [[value, undefined]];
  while (stack.length > 0) {
    const [v, field] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) {
        throw new AppError(
          'invalid_field',
          400,
          `${field ?? 'the text'} must not contain the NUL character (U+0000)`,
          field ? { field } : {},
        );
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
}
