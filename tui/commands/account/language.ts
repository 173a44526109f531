import { Args } from '@oclif/core';
import type { Language } from '../../../i18n/index.js';
import { ServerCommand } from '../../cli/server-command.js';
import { UsageError } from '../../cli/errors.js';
import { textsOf } from '../../client/language.js';
import { isPersonalAccessToken } from '../../client/tokens.js';

const t = textsOf('cli');

/** What the argument may say: a language mux1 writes mails in, or `default` for none chosen. */
const CHOICES = ['en', 'de', 'default'] as const;

/** Enough of a refused value to recognise it; a pasted page of text is not echoed whole. */
const QUOTED_MAX = 24;

function quoted(given: string): string {
  const chars = [...given];
  return chars.length > QUOTED_MAX ? `${chars.slice(0, QUOTED_MAX).join('')}…` : given;
}

/**
 * The language of the account's mails (docs/api.md, "The language of mails"): read with
 * GET /api/me, changed with PATCH /api/me. The terminal's own language (MUX1_LANG, LANG) is another
 * setting: it chooses the words of this tool, and only the language stored at signup.
 */
export default class AccountLanguage extends ServerCommand {
  static override summary = 'Show or choose the language of the mails mux1 sends you';
  static override description =
    'Without an argument, prints the language stored for your mails. `en` or `de` chooses one; ' +
    '`default` forgets the choice, and mails are written in English. Choosing needs your login: a ' +
    'personal access token may only read it (with the profile:read scope).';
  static override examples = [
    '<%= config.bin %> account language',
    '<%= config.bin %> account language de',
    {
      description: 'Forget the choice (mails in English):',
      command: '<%= config.bin %> account language default',
    },
    '<%= config.bin %> account language --json',
  ];
  static override args = {
    language: Args.string({
      description: 'en, de, or default (none chosen: English).',
      parse: async (input) => {
        const value = input.trim().toLowerCase();
        if ((CHOICES as readonly string[]).includes(value)) return value;
        throw new UsageError(t('accountLanguage.unknown', { given: quoted(input) }), 'invalid_field', {
          field: 'locale',
        });
      },
    }),
  };

  async run() {
    const { args, flags } = await this.parse(AccountLanguage);
    const active = await this.requireToken(flags.server);
    const changing = args.language !== undefined;
    // The server refuses every token here (PATCH /api/me wants a session): said before sending.
    if (changing && active.source === 'env' && isPersonalAccessToken(active.token)) {
      throw new UsageError(
        t('accountLanguage.tokenNotAllowed', { bin: this.config.bin }),
        'token_not_allowed',
      );
    }
    const rest = await this.rest(flags.server, active.token);
    if (!changing) {
      const { locale } = (await rest.me()).user;
      this.log(shown(locale, this.config.bin));
      return { locale };
    }
    const wanted: Language | null = args.language === 'default' ? null : (args.language as Language);
    const { locale } = (await rest.setMailLanguage(wanted)).user;
    this.log(chosen(locale));
    return { locale };
  }
}

/** The stored language, as a sentence. A literal key per case, so the catalog test sees each. */
function shown(locale: Language | null, bin: string): string {
  if (locale === 'en') return t('accountLanguage.shownEnglish');
  if (locale === 'de') return t('accountLanguage.shownGerman');
  return t('accountLanguage.shownNone', { bin });
}

function chosen(locale: Language | null): string {
  if (locale === 'en') return t('accountLanguage.chosenEnglish');
  if (locale === 'de') return t('accountLanguage.chosenGerman');
  return t('accountLanguage.chosenNone');
}
