import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts, DeviceLookup } from '../../accounts/index.js';
import {
  DEVICE,
  type DeviceCodeBody,
  type DeviceLookupBody,
  type LoginBody,
  type MessageBody,
} from '../../protocol.js';
import { parseBody, requestMeta, requireAuth, type AuthState } from '../request.js';
import { loggedIn } from './auth.js';

// One schema per request body. Unknown keys are dropped, never passed inward.
const codeBody = z.object({
  client_name: z
    .string({ error: 'client_name must be a string' })
    .trim()
    .min(1, 'client_name must not be empty')
    .max(DEVICE.clientNameMax, `client_name must be at most ${DEVICE.clientNameMax} characters`)
    .refine((n) => !/[\p{Cc}\p{Cf}]/u.test(n), 'client_name must not hold control characters')
    .optional(),
});
const tokenBody = z.object({
  device_code: z
    .string({ error: 'device_code must be a string' })
    .min(1, 'device_code is required')
    .max(200, 'device_code is not one this server issued'),
});
// Any 40 characters: the rules say whether they make a code, and count a wrong one.
const userCodeField = z
  .string({ error: 'user_code must be a string' })
  .min(1, 'user_code is required')
  .max(40, 'user_code must be the 8 letters your terminal shows');
const lookupBody = z.object({ user_code: userCodeField });
const approveBody = z.object({
  user_code: userCodeField,
  approve: z.boolean({ error: 'approve must be true or false' }),
});

/** A terminal that gives no name is named by its User-Agent, held to the same rules as a name. */
const nameFromAgent = (agent: string | null): string =>
  agent
    ?.replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, DEVICE.clientNameMax) || 'a terminal';

const iso = (ms: number) => new Date(ms).toISOString();

const lookupBodyOf = (found: DeviceLookup): DeviceLookupBody => ({
  user_code: found.userCode,
  client_name: found.row.client_name,
  ip: found.row.ip,
  user_agent: found.row.user_agent,
  created_at: iso(found.row.created_at),
  expires_at: iso(found.row.expires_at),
});

/**
 * Device login (RFC 8628): the terminal's two public routes, and the signed-in person's two
 * (ROUTE_ACCESS: session only, so a personal access token can neither see nor approve a code).
 */
export function deviceRoutes(accounts: Accounts, publicUrl: () => string): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/device' });
  const auth = requireAuth(accounts);

  router.post('/code', async (ctx) => {
    const body = parseBody(codeBody, ctx.request.body);
    const meta = requestMeta(ctx);
    const grant = await accounts.startDeviceLogin(
      { clientName: body.client_name ?? nameFromAgent(meta.userAgent) },
      meta,
    );
    const page = new URL('/device', publicUrl()).href;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      device_code: grant.deviceCode,
      user_code: grant.userCode,
      verification_uri: page,
      verification_uri_complete: `${page}?code=${grant.userCode}`,
      expires_in: DEVICE.expiresMinutes * 60,
      interval: grant.interval,
    } satisfies DeviceCodeBody;
  });

  router.post('/token', async (ctx) => {
    const { device_code } = parseBody(tokenBody, ctx.request.body);
    const result = await accounts.pollDeviceLogin(device_code, requestMeta(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = loggedIn(result) satisfies LoginBody;
  });

  router.post('/lookup', auth, async (ctx) => {
    const { user_code } = parseBody(lookupBody, ctx.request.body);
    const found = await accounts.lookupDeviceLogin(ctx.state.auth, user_code, requestMeta(ctx));
    ctx.body = lookupBodyOf(found);
  });

  router.post('/approve', auth, async (ctx) => {
    const input = parseBody(approveBody, ctx.request.body);
    const found = await accounts.decideDeviceLogin(
      ctx.state.auth,
      { userCode: input.user_code, approve: input.approve },
      requestMeta(ctx),
    );
    ctx.body = {
      message: input.approve
        ? `Approved: ${found.row.client_name} is signed in as ${ctx.state.auth.user.username}. You can close this page.`
        : `Denied: ${found.row.client_name} was not signed in.`,
    } satisfies MessageBody;
  });

  return router;
}
