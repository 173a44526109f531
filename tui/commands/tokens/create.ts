import { Flags } from '@oclif/core';
import { UsageError } from '../../cli/errors.js';
import { ServerCommand } from '../../cli/server-command.js';
import { safeText } from '../../client/safe-text.js';
import {
  expiryDaysProblem,
  scopeProblem,
  TOKEN_LIMITS,
  TOKEN_SCOPES,
  tokenNameProblem,
  type TokenScope,
} from '../../client/tokens.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts } from '../../cli/texts.js';

/** A flag value refused before anything is sent: exit 2, with the field the server would name. */
const refuse = (field: string, problem: string | undefined) => {
  if (problem) throw new UsageError(problem, 'invalid_field', { field });
};

export default class TokensCreate extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageTokens');
  static override summary = 'Create a personal access token for a script; it is shown only once';
  static override description =
    `A token acts as you, within its scopes (${TOKEN_SCOPES.join(', ')}), until it expires or is ` +
    `revoked. Scripts send it like a session token: MUX1_TOKEN for this CLI, "Authorization: Bearer" ` +
    `over HTTP, auth.token over Socket.IO. It expires in ${TOKEN_LIMITS.defaultDays} days unless ` +
    `--expires-in-days or --no-expiry says otherwise; an account has at most ${TOKEN_LIMITS.liveMax} ` +
    'live tokens. No token can manage passwords, two-factor sign-in, sessions or tokens.';
  static override examples = [
    '<%= config.bin %> tokens create --name deploy-bot --scope chat:write',
    {
      description: 'A bot that reads and answers, for a year, the token as JSON:',
      command:
        '<%= config.bin %> tokens create --name ping-bot --scope chat:read --scope chat:write --expires-in-days 365 --json',
    },
  ];
  static override flags = {
    name: Flags.string({
      summary: `What the token is for, 1-${TOKEN_LIMITS.nameMax} characters (shown in \`tokens list\`).`,
      required: true,
      parse: async (input) => {
        refuse('name', tokenNameProblem(input));
        return input.trim();
      },
    }),
    scope: Flags.string({
      summary: `A scope to grant, repeatable: ${TOKEN_SCOPES.join(', ')}.`,
      required: true,
      multiple: true,
      parse: async (input) => {
        for (const scope of input.split(',')) refuse('scopes', scopeProblem(scope.trim()));
        return input;
      },
    }),
    'expires-in-days': Flags.string({
      summary: `Days until it stops working, ${TOKEN_LIMITS.daysMin}-${TOKEN_LIMITS.daysMax} (default ${TOKEN_LIMITS.defaultDays}).`,
      exclusive: ['no-expiry'],
      parse: async (input) => {
        refuse('expires_in_days', expiryDaysProblem(input));
        return input.trim();
      },
    }),
    'no-expiry': Flags.boolean({
      summary: 'A token that works until it is revoked. Prefer an expiry: a lost token stays valid.',
      exclusive: ['expires-in-days'],
    }),
  };

  async run() {
    const { flags } = await this.parse(TokensCreate);
    const scopes = [
      ...new Set(flags.scope.flatMap((s) => s.split(',').map((p) => p.trim()))),
    ] as TokenScope[];
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    const created = await rest.createToken({
      name: flags.name,
      scopes,
      ...(flags['no-expiry']
        ? { expires_in_days: null }
        : flags['expires-in-days']
          ? { expires_in_days: Number(flags['expires-in-days']) }
          : {}),
    });
    const t = cliTexts();
    const expires = created.expires_at
      ? t('tokens.expires', { day: created.expires_at.slice(0, 10) })
      : t('tokens.neverExpires');
    this.log(
      [
        t('tokens.created', {
          id: created.id,
          name: safeText(created.name),
          scopes: created.scopes.join(' '),
          expires,
        }),
        '',
        `  ${created.token}`,
        '',
        t('tokens.shownOnce'),
        `  ${t('tokens.useIt', { bin: this.config.bin })}`,
      ].join('\n'),
    );
    return { server: flags.server, ...created };
  }
}
