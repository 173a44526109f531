import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { Metrics } from './registry.js';

/**
 * The label a request is counted under: the route pattern that matched (`/api/sessions/:id`),
 * never the raw path, so a scanner cannot create a label per URL.
 */
export function routeLabel(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : 'unmatched';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when the Authorization header carries the token; compared in constant time. */
export function hasBearer(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/** The exposition text and its content type. */
export async function exposition(metrics: Metrics): Promise<{ type: string; body: string }> {
  return { type: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
