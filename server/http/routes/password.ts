import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts } from '../../accounts/index.js';
import { codeField, emailField, loginPasswordField, passwordField } from '../../accounts/fields.js';
import { newPasswordProblems } from '../../accounts/passwords.js';
import { LIMITS, type ChangePasswordBody, type MessageBody } from '../../protocol.js';
import { parseBody, requestMeta, requireAuth, type AuthState } from '../request.js';
import { signedOut } from './account.js';

// One schema per request body. Unknown keys are dropped, never passed inward.
const forgotBody = z.object({ email: emailField });
const resetBody = z.object({ email: emailField, code: codeField, password: passwordField });
/** The current password is only compared, like a login's: it may predate today's rules. */
const changeBody = z.object({ current_password: loginPasswordField, password: passwordField });

/** Forgot, reset (with a mailed code) and change (signed in) the password. */
export function passwordRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/password' });

  router.post('/forgot', async (ctx) => {
    const { email } = parseBody(forgotBody, ctx.request.body);
    await accounts.forgotPassword(email, requestMeta(ctx));
    ctx.body = {
      message: `If ${email} has an account, a ${LIMITS.codeDigits}-digit reset code is on its way; it expires in a few minutes.`,
    } satisfies MessageBody;
  });

  router.post('/reset', async (ctx) => {
    const input = parseBody(resetBody, ctx.request.body, newPasswordProblems);
    await accounts.resetPassword(input, requestMeta(ctx));
    ctx.body = {
      message: 'Password reset. Every session of the account was signed out; log in with the new password.',
    } satisfies MessageBody;
  });

  router.post('/change', requireAuth(accounts), async (ctx) => {
    const input = parseBody(changeBody, ctx.request.body, newPasswordProblems);
    const revoked = await accounts.changePassword(
      ctx.state.auth,
      { currentPassword: input.current_password, password: input.password },
      requestMeta(ctx),
    );
    ctx.body = {
      message: `Password changed. ${signedOut(revoked)} This session stays signed in.`,
      revoked_sessions: revoked,
    } satisfies ChangePasswordBody;
  });

  return router;
}
