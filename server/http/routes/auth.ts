import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts, LoginResult } from '../../accounts/index.js';
import {
  codeField,
  emailField,
  localeField,
  loginIdField,
  loginPasswordField,
  mfaTokenField,
  passwordField,
  secondFactorField,
  usernameField,
} from '../../accounts/fields.js';
import { newPasswordProblems } from '../../accounts/passwords.js';
import type { Challenges } from '../../limits/index.js';
import { LIMITS, type LoginBody, type MessageBody, type MfaRequiredBody } from '../../protocol.js';
import { parseBody, requestMeta } from '../request.js';
import { acceptedLanguage } from '../accept-language.js';

// One schema per request body. Unknown keys are dropped, never passed inward.
const signupBody = z.object({
  username: usernameField,
  email: emailField,
  password: passwordField,
  locale: localeField.optional(),
});
const verifyEmailBody = z.object({ email: emailField, code: codeField });
const resendBody = z.object({ email: emailField });
const loginBody = z.object({ username: loginIdField, password: loginPasswordField });
const secondStepBody = z.object({ mfa_token: mfaTokenField, code: secondFactorField });

export const loggedIn = (result: LoginResult): LoginBody => ({
  message: `Logged in as ${result.user.username}.`,
  token: result.token,
  expires_at: new Date(result.expiresAt).toISOString(),
  user: { id: result.user.id, username: result.user.username, email: result.user.email },
});

/** Signup, verification and login: the unauthenticated half of the account flow. */
export function authRoutes(accounts: Accounts, challenges: Challenges): Router {
  const router = new Router({ prefix: '/api' });

  router.post('/signup', async (ctx) => {
    const input = parseBody(signupBody, ctx.request.body, newPasswordProblems);
    // The code's mail is the first the account gets: in the language asked for, else the one the
    // client's Accept-Language names (a German terminal or browser signs up German).
    const locale = input.locale !== undefined ? input.locale : acceptedLanguage(ctx);
    await accounts.signup({ ...input, locale }, requestMeta(ctx));
    ctx.status = 201;
    ctx.body = {
      message: `Account created for ${input.username}. We sent a ${LIMITS.codeDigits}-digit code to ${input.email}; verify it to log in.`,
    } satisfies MessageBody;
  });

  router.post('/verify-email', async (ctx) => {
    const input = parseBody(verifyEmailBody, ctx.request.body);
    await accounts.verifyEmail(input, requestMeta(ctx));
    ctx.body = { message: 'Email verified. You can log in now.' } satisfies MessageBody;
  });

  router.post('/resend-verification', async (ctx) => {
    const { email } = parseBody(resendBody, ctx.request.body);
    await accounts.resendVerification(email, requestMeta(ctx));
    ctx.body = {
      message: `If ${email} has an account waiting for verification, a new code is on its way.`,
    } satisfies MessageBody;
  });

  router.post('/login', async (ctx) => {
    const input = parseBody(loginBody, ctx.request.body);
    const result = await accounts.login(input, requestMeta(ctx));
    ctx.body =
      'mfaRequired' in result
        ? ({
            message: 'Password right. Now send a code from your authenticator app, or a backup code.',
            mfa_required: true,
            mfa_token: result.mfaToken,
            expires_at: new Date(result.expiresAt).toISOString(),
          } satisfies MfaRequiredBody)
        : loggedIn(result);
  });

  // The second step of a login with two-factor sign-in: the pending login's token and a code.
  router.post('/login/2fa', async (ctx) => {
    const input = parseBody(secondStepBody, ctx.request.body);
    const result = await accounts.loginSecondStep(
      { mfaToken: input.mfa_token, code: input.code },
      requestMeta(ctx),
    );
    ctx.body = loggedIn(result) satisfies LoginBody;
  });

  // A proof-of-work challenge on request, for a client that wants to solve one before it is
  // asked (a 428 `challenge_required` answer carries one too, so this is never required).
  router.get('/challenge', async (ctx) => {
    ctx.body = await challenges.create();
  });

  return router;
}
