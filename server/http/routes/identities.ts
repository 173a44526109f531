import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Accounts, CompletedFlow } from '../../accounts/index.js';
import { usernameField } from '../../accounts/fields.js';
import { isAppError } from '../../errors.js';
import type {
  IdentitiesBody,
  LoginBody,
  OidcCompleteBody,
  OidcStartBody,
  ProvidersBody,
} from '../../protocol.js';
import { parseBody, requestMeta, requireAuth, type AuthState } from '../request.js';
import { acceptedLanguage } from '../accept-language.js';

/*
 * Sign-in with an identity provider (accounts/identities.ts has the rules). The browser carries
 * a random binding in an HttpOnly cookie scoped to /api/oidc, so a callback or a ticket that
 * reaches another browser (a link sent to a victim: login CSRF) is refused. SameSite=Lax: the
 * provider's redirect back is a top-level GET from another site, which Lax lets the cookie ride.
 */
const COOKIE = 'mux1_oidc';
const COOKIE_PATH = '/api/oidc';

const ticketField = z
  .string({ error: 'ticket must be a string' })
  .regex(/^[A-Za-z0-9_-]{43}$/, 'ticket must be the 43 characters the callback gave the page');
const completeBody = z.object({ ticket: ticketField });
const signupBody = z.object({ ticket: ticketField, username: usernameField });

function setBinding(ctx: Context, binding: string, secure: boolean) {
  ctx.set(
    'Set-Cookie',
    `${COOKIE}=${binding}; Path=${COOKIE_PATH}; Max-Age=600; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
  );
}

const bindingOf = (ctx: Context): string | undefined => {
  const value = ctx.cookies.get(COOKIE);
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
};

const loginBody = (result: {
  token: string;
  expiresAt: number;
  user: { id: number; username: string; email: string };
}): LoginBody => ({
  message: `Logged in as ${result.user.username}.`,
  token: result.token,
  expires_at: new Date(result.expiresAt).toISOString(),
  user: { id: result.user.id, username: result.user.username, email: result.user.email },
});

function completeAnswer(done: CompletedFlow): OidcCompleteBody {
  switch (done.kind) {
    case 'session':
      return { outcome: 'login', ...loginBody(done.result) };
    case 'second_step':
      return {
        outcome: 'mfa_required',
        message:
          'Your account has two-factor sign-in: send a code from your authenticator app, or a backup code.',
        mfa_required: true,
        mfa_token: done.result.mfaToken,
        expires_at: new Date(done.result.expiresAt).toISOString(),
      };
    case 'signup':
      return {
        outcome: 'signup_required',
        message: `${done.provider} verified ${done.email}. Choose a username for your new account.`,
        provider: done.provider,
        email: done.email,
      };
    case 'email_taken':
      return {
        outcome: 'email_taken',
        message:
          `An account already has ${done.email}. Log in to it (with its password), then link ` +
          `${done.provider} from "Sign-in providers" in its settings.`,
        provider: done.provider,
        email: done.email,
      };
    case 'no_verified_email':
      return {
        outcome: 'no_verified_email',
        message: `${done.provider} did not share a verified email, so no account can be made from it.`,
        provider: done.provider,
      };
    case 'linked':
      return {
        outcome: 'linked',
        message: `${done.provider} is now linked to your account.`,
        provider: done.provider,
      };
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function identityRoutes(accounts: Accounts, secureCookies: () => boolean): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api' });
  const auth = requireAuth(accounts);

  router.get('/oidc/providers', (ctx) => {
    ctx.body = { providers: accounts.listProviders() } satisfies ProvidersBody;
  });

  router.post('/oidc/:provider/start', async (ctx) => {
    const flow = await accounts.startIdentityFlow(ctx.params.provider ?? '', undefined);
    setBinding(ctx, flow.binding, secureCookies() || ctx.secure);
    ctx.body = { authorization_url: flow.authorizationUrl } satisfies OidcStartBody;
  });

  // The provider sends the browser here. The outcome goes to the page in the URL fragment, which
  // browsers never send to a server; a refusal goes there as its code.
  router.get('/oidc/:provider/callback', async (ctx) => {
    try {
      const ticket = await accounts.finishIdentityFlow(
        {
          providerId: ctx.params.provider ?? '',
          query: ctx.querystring.slice(0, 8000),
          binding: bindingOf(ctx),
        },
        requestMeta(ctx),
      );
      ctx.redirect(`/#oidc=${ticket}`);
    } catch (err) {
      if (!isAppError(err)) throw err;
      ctx.redirect(`/#oidc-error=${err.code}`);
    }
  });

  router.post('/oidc/complete', async (ctx) => {
    const { ticket } = parseBody(completeBody, ctx.request.body);
    const done = await accounts.completeIdentityFlow({ ticket, binding: bindingOf(ctx) }, requestMeta(ctx));
    ctx.body = completeAnswer(done);
  });

  router.post('/oidc/signup', async (ctx) => {
    const input = parseBody(signupBody, ctx.request.body);
    const done = await accounts.signupWithIdentity(
      { ...input, binding: bindingOf(ctx), locale: acceptedLanguage(ctx) },
      requestMeta(ctx),
    );
    ctx.status = 201;
    ctx.body = completeAnswer(done);
  });

  router.post('/identities/:provider/link', auth, async (ctx) => {
    const flow = await accounts.startIdentityFlow(ctx.params.provider ?? '', ctx.state.auth);
    setBinding(ctx, flow.binding, secureCookies() || ctx.secure);
    ctx.body = { authorization_url: flow.authorizationUrl } satisfies OidcStartBody;
  });

  router.get('/identities', auth, async (ctx) => {
    const rows = await accounts.listIdentities(ctx.state.auth);
    ctx.body = {
      identities: rows.map((r) => ({
        id: r.id,
        provider: r.provider,
        provider_name: r.providerName,
        email: r.email,
        created_at: iso(r.created_at)!,
        last_used_at: iso(r.last_used_at),
      })),
    } satisfies IdentitiesBody;
  });

  router.delete('/identities/:id', auth, async (ctx) => {
    const id = /^[1-9]\d{0,9}$/.test(ctx.params.id ?? '') ? Number(ctx.params.id) : 0;
    await accounts.unlinkIdentity(ctx.state.auth, id, requestMeta(ctx));
    ctx.status = 204;
  });

  return router;
}
