import type { Context } from 'koa';
import type { RequestMeta } from '../accounts/index.js';
import { CHALLENGE_HEADER } from '../protocol.js';

/**
 * Client address (X-Forwarded-For only when TRUST_PROXY is on: Koa's `app.proxy`), agent, and
 * a solved challenge from the X-Altcha header.
 */
export const requestMeta = (ctx: Context): RequestMeta => ({
  ip: ctx.ip ? ctx.ip.replace(/^::ffff:/, '').slice(0, 64) : null,
  userAgent: ctx.get('user-agent').slice(0, 512) || null,
  challenge: ctx.get(CHALLENGE_HEADER).slice(0, 2000) || null,
});
