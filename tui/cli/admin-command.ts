import { Args, Flags, type Interfaces } from '@oclif/core';
import { usernameProblem } from '../../server/protocol.js';
import type { AdminCalls, AdminUser } from '../client/admin.js';
import { Mux1Error } from '../client/errors.js';
import { safeText } from '../client/safe-text.js';
import { CliError, UsageError } from './errors.js';
import { ServerCommand } from './server-command.js';
import type { Words } from './texts.js';
import { cliTexts, englishTexts, ruleText } from './texts.js';
import { describeFailure } from '../client/language.js';

/*
 * What `mux1 admin users|user|role|disable|enable|delete|reset|audit|stats` share: the admin REST
 * routes as the stored login (never a personal access token: the server refuses them all), an
 * account named by id or by username, a confirmation before anything that cannot be taken back
 * quietly, and refusals that say what the person can do about them.
 */

/** An account as typed: a number is an id, anything else a username. */
export type UserRef = { id: number } | { username: string };

export const userRefParse =
  (field: string) =>
  async (input: string): Promise<UserRef> => {
    const value = input.trim();
    if (/^\d{1,15}$/.test(value) && Number(value) >= 1) return { id: Number(value) };
    const wrong = usernameProblem(value);
    if (wrong) {
      const shown = safeText(value.slice(0, 40));
      throw new UsageError(
        (t) => t('admin.notAUser', { value: shown, problem: ruleText(wrong, t) }),
        'invalid_field',
        {
          field,
        },
      );
    }
    return { username: value.toLowerCase() };
  };

export const userArg = Args.custom<UserRef>({
  description: 'The account: its id (a number, as `admin users` shows it) or its username.',
  parse: userRefParse('id'),
})({ required: true });

export const yesFlag = Flags.boolean({
  char: 'y',
  summary: 'Do it without asking; required when standard input is not a terminal (scripts).',
});

export abstract class AdminCommand extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.administer');

  /** The admin calls, signed in as the stored login for --server. */
  protected async admin(server: string): Promise<AdminCalls> {
    const active = await this.requireToken(server);
    return (await this.rest(server, active.token)).admin;
  }

  /** The account `ref` names on the server, or `not_found`. */
  protected async resolve(admin: AdminCalls, ref: UserRef): Promise<AdminUser> {
    if ('id' in ref) return (await admin.user(ref.id)).user;
    const found = await admin.findByUsername(ref.username);
    if (!found) throw new CliError('not_found', (t) => t('admin.noSuchAccount', { username: ref.username }));
    return found;
  }

  /**
   * Refuses before anything is sent when nobody can be asked (stdin is not a terminal) and
   * --yes is missing: a script must say it means it. Exit 2.
   */
  protected mustBeAbleToConfirm(flags: { yes?: boolean }): void {
    if (flags.yes || process.stdin.isTTY) return;
    const usage = this.usageLine();
    throw new UsageError((t) => t('admin.confirmationRequired', { usage }), 'confirmation_required');
  }

  /** Asks on the terminal (stderr, so --json keeps stdout to one object); anything but yes stops. */
  protected async confirm(flags: { yes?: boolean }, question: string): Promise<void> {
    if (flags.yes) return;
    this.mustBeAbleToConfirm(flags);
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const t = cliTexts();
      const answer = await rl.question(`${question} ${t('admin.yesNo')} `);
      // "y"/"yes" always, for scripts and habits; the language's own yes too ("j"/"ja").
      const yes = new RegExp(`^\\s*(y(es)?|${t('admin.yesPattern')})\\s*$`, 'i');
      if (!yes.test(answer)) throw new CliError('cancelled', (t) => t('admin.cancelled'));
    } finally {
      rl.close();
    }
  }

  protected override async catch(err: Interfaces.CommandError): Promise<never> {
    return super.catch(explainRefusal(err, this.config.bin) as Interfaces.CommandError);
  }
}

/** The server's 403s, said as what they mean for the person at the command line. */
function explainRefusal(err: unknown, bin: string): unknown {
  if (!Mux1Error.is(err)) return err;
  if (err.code === 'forbidden') {
    const refusal = err;
    return new CliError('forbidden', (t) =>
      t('admin.notAdmin', { reason: t === englishTexts ? refusal.message : describeFailure(refusal), bin }),
    );
  }
  if (err.code === 'insufficient_scope') {
    return new CliError('insufficient_scope', (t) => t('admin.needsSession', { bin }));
  }
  return err;
}

/** "alice (id 5)", safe for the terminal. */
export const named = (u: Pick<AdminUser, 'id' | 'username'>) => `${safeText(u.username)} (id ${u.id})`;

/** What an account's state is, in one word. */
export const stateOf = (u: AdminUser): string => {
  const t = cliTexts();
  if (u.disabled) return t('admin.state.disabled');
  if (u.deactivated) return t('admin.state.deactivated');
  return u.verified ? t('admin.state.active') : t('admin.state.unverified');
};

export const day = (iso: string | null, none = '-') => (iso ? iso.slice(0, 10) : none);
export const minute = (iso: string | null, none = '-') => (iso ? iso.slice(0, 16).replace('T', ' ') : none);

/** Server text cut to a column, safe for the terminal. */
export function cut(text: string | null, width: number): string {
  const chars = [...safeText(text ?? '-')];
  return chars.length > width ? chars.slice(0, width - 1).join('') + '…' : chars.join('').padEnd(width);
}
