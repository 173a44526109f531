import { z } from 'zod';

/**
 * OIDC_PROVIDERS: the identity providers people may sign in with, as one JSON array (in the
 * environment a JSON string, in the config file the array itself), so several providers with
 * their four values each travel as one setting that is validated whole. Secrets stay out of
 * error messages: a refusal names the provider and the field, never the value.
 */

/** A provider's id: its part of the callback URL (/api/oidc/ID/callback) and of each identity. */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const PROVIDERS_MAX = 20;

/** GitHub speaks OAuth 2 without OpenID Connect: its endpoints are known, not discovered. */
export const GITHUB_PRESET = {
  issuer: 'https://github.com',
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  userEndpoint: 'https://api.github.com/user',
  emailsEndpoint: 'https://api.github.com/user/emails',
} as const;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback host only (a provider started beside the server, as in tests). */
const issuerUrl = z
  .string({ error: 'issuer must be a URL' })
  .trim()
  .max(500, 'issuer must be at most 500 characters')
  .refine((v) => {
    try {
      const u = new URL(v);
      if (u.username || u.password || u.search || u.hash) return false;
      return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
    } catch {
      return false;
    }
  }, 'issuer must be an https:// URL (http:// only on localhost) without credentials, query or fragment');

const printable = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} must be at most ${max} characters`)
    .refine((v) => !/\p{Cc}/u.test(v), `${field} must not hold control characters`);

const provider = z
  .object(
    {
      id: z
        .string({ error: 'id must be a string' })
        .regex(PROVIDER_ID, 'id must be 1-32 of a-z 0-9 - (starting with a letter or digit)'),
      name: printable('name', 40),
      issuer: issuerUrl.optional(),
      /** `github`: GitHub's OAuth endpoints instead of discovery; issuer is not given. */
      preset: z.enum(['github'], { error: 'preset must be "github" or left out' }).optional(),
      clientId: printable('clientId', 200),
      clientSecret: printable('clientSecret', 500),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field "${String(issue.keys[0]).slice(0, 40)}" (fields: id, name, issuer, preset, clientId, clientSecret)`
          : 'each provider must be an object {id, name, issuer, clientId, clientSecret}',
    },
  )
  .strict()
  .superRefine((p, ctx) => {
    if (p.preset === undefined && p.issuer === undefined) {
      ctx.addIssue({ code: 'custom', message: 'issuer is required (or preset "github")' });
    }
    if (p.preset !== undefined && p.issuer !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'a preset provider takes no issuer' });
    }
  });

export type OidcProviderSetting = z.output<typeof provider>;

const providerList = z
  .array(provider, { error: 'must be a JSON array of providers' })
  .max(PROVIDERS_MAX, `must list at most ${PROVIDERS_MAX} providers`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const p of list) {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', message: `provider id "${p.id}" is listed twice` });
      seen.add(p.id);
    }
  });

/** The JSON text from the environment or a flag, or the array from the config file. */
export const oidcProvidersSchema = z
  .union([z.array(z.unknown()), z.string().max(50_000, 'must be at most 50000 characters')], {
    error: 'must be a JSON array of providers',
  })
  .transform((v, ctx): OidcProviderSetting[] => {
    let value: unknown = v;
    if (typeof v === 'string') {
      try {
        value = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of providers (not valid JSON)' });
        return z.NEVER;
      }
    }
    const result = providerList.safeParse(value);
    if (result.success) return result.data;
    // The loader shows one message: it names the provider (by its place) and the field.
    const issue = result.error.issues[0]!;
    const [index] = issue.path;
    const where = typeof index === 'number' ? `provider ${index + 1}: ` : '';
    ctx.addIssue({ code: 'custom', message: where + issue.message });
    return z.NEVER;
  });
