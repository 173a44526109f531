import { LIMITS } from '../protocol.js';
import type { OutgoingMail } from '../store/outbox.js';
import { DEFAULT_LANGUAGE, translator, type Language, type Translate } from '../../i18n/index.js';

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A plain-text mail and its HTML twin, one paragraph each, escaped. */
export function mail(to: string, subject: string, paragraphs: string[]): OutgoingMail {
  return {
    recipient: to,
    subject,
    text_body: paragraphs.join('\n\n') + '\n',
    html_body: `<!doctype html><html><body style="font-family:sans-serif">${paragraphs
      .map((p) => `<p>${escape(p)}</p>`)
      .join('')}</body></html>`,
  };
}

/*
 * The commands these mails suggest never carry the code: as a flag it would stay in shell history
 * and show in the process list, where another user of the machine could use it first. The command
 * asks for it instead. Commands stay as they are in every language: they are typed, not read.
 */

export interface TemplateContext {
  publicUrl: string;
  codeTtlMinutes: number;
}

/**
 * Whom a mail goes to, and in which language: the account's stored choice (`users.locale`), read
 * when the mail is queued - the outbox keeps the finished text, so a later change of language
 * reaches the next mail, not one already waiting.
 */
export interface Recipient {
  email: string;
  username: string;
  locale: Language | null;
}

/** The recipient's texts of the `mail` namespace: English when they chose no language. */
export const textsFor = (to: Pick<Recipient, 'locale'>): Translate =>
  translator(to.locale ?? DEFAULT_LANGUAGE, 'mail');

/**
 * When something happened, to the minute, in UTC (a notice must not depend on the server's time
 * zone). English keeps the unambiguous ISO form; other languages write it their way through Intl.
 */
export function moment(to: Pick<Recipient, 'locale'>, at: number): string {
  const language = to.locale ?? DEFAULT_LANGUAGE;
  const date = new Date(at);
  const shown =
    language === 'en'
      ? date.toISOString().replace('T', ' ').slice(0, 16)
      : new Intl.DateTimeFormat(language, {
          dateStyle: 'medium',
          timeStyle: 'short',
          timeZone: 'UTC',
        }).format(date);
  return `${shown} UTC`;
}

/** " from the address 203.0.113.9" where the request's address is known, else nothing. */
const fromAddress = (t: Translate, ip: string | null): string => (ip ? t('fromAddress', { ip }) : '');

const forgotCommand = (ctx: TemplateContext, to: Recipient): string =>
  `mux1 password forgot --email ${to.email} --server ${ctx.publicUrl}`;

export function verificationMail(ctx: TemplateContext, to: Recipient, code: string): OutgoingMail {
  const t = textsFor(to);
  return mail(to.email, t('verification.subject', { code }), [
    t('hello', { username: to.username }),
    t('verification.code', { code, count: ctx.codeTtlMinutes }),
    t('verification.howTo', { digits: LIMITS.codeDigits }),
    `mux1 verify --email ${to.email} --server ${ctx.publicUrl}`,
    t('verification.notYou'),
  ]);
}

/**
 * Sent instead of a code when someone signs up with an address that already has an account: to
 * that account, in its language (not the language of whoever signed up).
 */
export function existingAccountMail(ctx: TemplateContext, to: Recipient): OutgoingMail {
  const t = textsFor(to);
  return mail(to.email, t('existingAccount.subject'), [
    t('helloNoName'),
    t('existingAccount.tried', { url: ctx.publicUrl }),
    t('existingAccount.ifYou', { command: forgotCommand(ctx, to) }),
    t('existingAccount.notYou'),
  ]);
}

export function passwordResetMail(ctx: TemplateContext, to: Recipient, code: string): OutgoingMail {
  const t = textsFor(to);
  return mail(to.email, t('passwordReset.subject', { code }), [
    t('hello', { username: to.username }),
    t('passwordReset.code', { url: ctx.publicUrl, code, count: ctx.codeTtlMinutes }),
    t('passwordReset.howTo', {
      digits: LIMITS.codeDigits,
      min: LIMITS.passwordMin,
      max: LIMITS.passwordMax,
    }),
    `mux1 password reset --email ${to.email} --server ${ctx.publicUrl}`,
    t('passwordReset.notYou'),
  ]);
}

/**
 * A notice that a way into the account changed, for its owner: what was done, and what to do if
 * it was not them (a new password through `password forgot`, which ends every session). `notYou`
 * renders that last paragraph's text with the command. The keys stay written out at each caller,
 * where the catalogs' test finds them.
 */
function changeNotice(
  ctx: TemplateContext,
  to: Recipient,
  texts: { subject: string; done: string; notYou: (values: { command: string }) => string },
): OutgoingMail {
  const t = textsFor(to);
  return mail(to.email, texts.subject, [
    t('hello', { username: to.username }),
    texts.done,
    t('ifYouNothingToDo'),
    texts.notYou({ command: forgotCommand(ctx, to) }),
  ]);
}

/** Sent after every password change or reset, so an owner who did not do it finds out. */
export function passwordChangedMail(
  ctx: TemplateContext,
  to: Recipient,
  change: { how: 'changed' | 'reset'; at: number; ip: string | null },
): OutgoingMail {
  const t = textsFor(to);
  const values = { url: ctx.publicUrl, when: moment(to, change.at), from: fromAddress(t, change.ip) };
  const what =
    change.how === 'reset'
      ? `${t('passwordChanged.reset', values)} ${t('passwordChanged.signedOutAll')}`
      : `${t('passwordChanged.changed', values)} ${t('passwordChanged.signedOutOthers')}`;
  return changeNotice(ctx, to, {
    subject: t('passwordChanged.subject'),
    done: what,
    notYou: (values) => t('passwordChanged.notYou', values),
  });
}

/** Sent when two-factor sign-in is turned on or off or its backup codes are replaced. */
export function twoFactorChangedMail(
  ctx: TemplateContext,
  to: Recipient,
  change: { what: 'on' | 'off' | 'backup_codes'; at: number; ip: string | null },
): OutgoingMail {
  const t = textsFor(to);
  const subject = {
    on: t('twoFactorChanged.subjectOn'),
    off: t('twoFactorChanged.subjectOff'),
    backup_codes: t('twoFactorChanged.subjectBackupCodes'),
  }[change.what];
  const url = { url: ctx.publicUrl };
  const done = {
    on: t('twoFactorChanged.on', url),
    off: t('twoFactorChanged.off', url),
    backup_codes: t('twoFactorChanged.backupCodes', url),
  }[change.what];
  const when = t('twoFactorChanged.when', { when: moment(to, change.at), from: fromAddress(t, change.ip) });
  return changeNotice(ctx, to, {
    subject,
    done: `${done} ${when}`,
    notYou: (values) => t('twoFactorChanged.notYou', values),
  });
}

/** What an admin did to the account, and whom to ask if it was a mistake. */
function adminNotice(to: Recipient, subject: string, done: string): OutgoingMail {
  const t = textsFor(to);
  return mail(to.email, subject, [t('hello', { username: to.username }), done, t('mistake')]);
}

/** An admin disabled the account: its sessions and tokens ended, signing in is refused. */
export function accountDisabledMail(ctx: TemplateContext, to: Recipient): OutgoingMail {
  const t = textsFor(to);
  return adminNotice(to, t('accountDisabled.subject'), t('accountDisabled.done', { url: ctx.publicUrl }));
}

/** An admin deleted the account. */
export function accountDeletedByAdminMail(ctx: TemplateContext, to: Recipient): OutgoingMail {
  const t = textsFor(to);
  return adminNotice(
    to,
    t('accountDeleted.subject'),
    t('accountDeleted.done', { url: ctx.publicUrl, username: to.username }),
  );
}

/** A credential added to the account (an SSH key, a passkey): its name, when and from where. */
interface AddedCredential {
  name: string;
  at: number;
  ip: string | null;
}

/** The values every "added" mail's text is filled with. */
const addedValues = (ctx: TemplateContext, to: Recipient, t: Translate, added: AddedCredential) => ({
  url: ctx.publicUrl,
  name: added.name,
  when: moment(to, added.at),
  from: fromAddress(t, added.ip),
});

/** Sent when an SSH key is added to an account: a key added by someone else is a way in. */
export function sshKeyAddedMail(
  ctx: TemplateContext,
  to: Recipient,
  added: AddedCredential & { fingerprint: string },
): OutgoingMail {
  const t = textsFor(to);
  return changeNotice(ctx, to, {
    subject: t('sshKeyAdded.subject'),
    done: t('sshKeyAdded.done', { ...addedValues(ctx, to, t, added), fingerprint: added.fingerprint }),
    notYou: (values) => t('sshKeyAdded.notYou', values),
  });
}

/** Sent when a passkey is added to an account: a passkey added by someone else is a way in. */
export function passkeyAddedMail(ctx: TemplateContext, to: Recipient, added: AddedCredential): OutgoingMail {
  const t = textsFor(to);
  return changeNotice(ctx, to, {
    subject: t('passkeyAdded.subject'),
    done: t('passkeyAdded.done', addedValues(ctx, to, t, added)),
    notYou: (values) => t('passkeyAdded.notYou', values),
  });
}
