import type { Context } from 'koa';
import type { RequestMeta } from '../accounts/index.js';

/** Client address (X-Forwarded-For only when TRUST_PROXY is on: Koa's `app.proxy`) and agent. */
export const requestMeta = (ctx: Context): RequestMeta => ({
  ip: ctx.ip ? ctx.ip.replace(/^::ffff:/, '').slice(0, 64) : null,
  userAgent: ctx.get('user-agent').slice(0, 512) || null,
});
