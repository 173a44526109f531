import { LIMITS } from '../protocol.js';
import type { OutgoingMail } from '../store/outbox.js';

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
 * asks for it instead.
 */

export interface TemplateContext {
  publicUrl: string;
  codeTtlMinutes: number;
}

export function verificationMail(
  ctx: TemplateContext,
  to: string,
  username: string,
  code: string,
): OutgoingMail {
  return mail(to, `Your mux1 verification code: ${code}`, [
    `Hello ${username},`,
    `Your mux1 verification code is ${code}. It expires in ${ctx.codeTtlMinutes} minutes and works once.`,
    `Enter it in the mux1 app, or run this command and type the ${LIMITS.codeDigits} digits when it asks for them:`,
    `mux1 verify --email ${to} --server ${ctx.publicUrl}`,
    'If you did not sign up for mux1, ignore this mail: no account is active without this code.',
  ]);
}

/** Sent instead of a code when someone signs up with an address that already has an account. */
export function existingAccountMail(ctx: TemplateContext, to: string): OutgoingMail {
  return mail(to, 'Someone tried to sign up to mux1 with your address', [
    'Hello,',
    `Someone (perhaps you) tried to create a mux1 account at ${ctx.publicUrl} with this address, which already has an account. No new account was created.`,
    `If it was you, log in with your existing account. If you forgot its password, ask for a reset code with: mux1 password forgot --email ${to} --server ${ctx.publicUrl}`,
    'If it was not you, you can ignore this mail.',
  ]);
}

export function passwordResetMail(
  ctx: TemplateContext,
  to: string,
  username: string,
  code: string,
): OutgoingMail {
  return mail(to, `Your mux1 password reset code: ${code}`, [
    `Hello ${username},`,
    `Someone (perhaps you) asked to reset the password of your mux1 account at ${ctx.publicUrl}. Your reset code is ${code}. It expires in ${ctx.codeTtlMinutes} minutes and works once.`,
    `To choose a new password, run this command; it asks for the ${LIMITS.codeDigits}-digit code and for a new password of ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters:`,
    `mux1 password reset --email ${to} --server ${ctx.publicUrl}`,
    'If you did not ask for this, ignore this mail: your password stays as it is, and nobody can change it without this code.',
  ]);
}

/** Sent after every password change or reset, so an owner who did not do it finds out. */
export function passwordChangedMail(
  ctx: TemplateContext,
  to: string,
  username: string,
  change: { how: 'changed' | 'reset'; at: number; ip: string | null },
): OutgoingMail {
  const when = new Date(change.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const from = change.ip ? ` from the address ${change.ip}` : '';
  const signedOut =
    change.how === 'reset'
      ? 'Every session of the account was signed out.'
      : 'Every other session of the account was signed out.';
  return mail(to, 'Your mux1 password was changed', [
    `Hello ${username},`,
    `The password of your mux1 account at ${ctx.publicUrl} was ${change.how === 'reset' ? 'reset with a mailed code' : 'changed'} on ${when}${from}. ${signedOut}`,
    `If this was you, there is nothing to do.`,
    `If this was not you, someone else knows your password or can read your mail: secure your mailbox, then choose a new password with: mux1 password forgot --email ${to} --server ${ctx.publicUrl}`,
  ]);
}

/** Sent when two-factor sign-in is turned on or off or its backup codes are replaced. */
export function twoFactorChangedMail(
  ctx: TemplateContext,
  to: string,
  username: string,
  change: { what: 'on' | 'off' | 'backup_codes'; at: number; ip: string | null },
): OutgoingMail {
  const when = new Date(change.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const from = change.ip ? ` from the address ${change.ip}` : '';
  const subject = {
    on: 'Two-factor sign-in was turned on for your mux1 account',
    off: 'Two-factor sign-in was turned off for your mux1 account',
    backup_codes: 'New backup codes were made for your mux1 account',
  }[change.what];
  const done = {
    on: 'two-factor sign-in was turned on: logging in now takes a code from your authenticator app as well as the password. Every other session was signed out.',
    off: 'two-factor sign-in was turned off: the password alone logs in again.',
    backup_codes: 'new backup codes were made; the earlier ones no longer work.',
  }[change.what];
  return mail(to, subject, [
    `Hello ${username},`,
    `On your mux1 account at ${ctx.publicUrl}, ${done} This happened on ${when}${from}.`,
    'If this was you, there is nothing to do.',
    `If this was not you, someone else knows your password and can sign in: choose a new password with: mux1 password forgot --email ${to} --server ${ctx.publicUrl}`,
  ]);
}

/** An admin disabled the account: its sessions and tokens ended, signing in is refused. */
export function accountDisabledMail(ctx: TemplateContext, to: string, username: string): OutgoingMail {
  return mail(to, 'Your mux1 account was disabled', [
    `Hello ${username},`,
    `An administrator of ${ctx.publicUrl} disabled your mux1 account. Every session and access token of it has been signed out, and signing in is refused until an administrator enables it again.`,
    'If you think this is a mistake, contact the administrators of this server.',
  ]);
}

/** An admin deleted the account. */
export function accountDeletedByAdminMail(ctx: TemplateContext, to: string, username: string): OutgoingMail {
  return mail(to, 'Your mux1 account was deleted', [
    `Hello ${username},`,
    `An administrator of ${ctx.publicUrl} deleted your mux1 account "${username}". Its sessions, tokens and codes are gone; your messages remain without an author.`,
    'If you think this is a mistake, contact the administrators of this server.',
  ]);
}

/** Sent when an SSH key is added to an account: a key added by someone else is a way in. */
export function sshKeyAddedMail(
  ctx: TemplateContext,
  to: string,
  username: string,
  added: { name: string; fingerprint: string; at: number; ip: string | null },
): OutgoingMail {
  const when = new Date(added.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const from = added.ip ? ` from the address ${added.ip}` : '';
  return mail(to, 'An SSH key was added to your mux1 account', [
    `Hello ${username},`,
    `On your mux1 account at ${ctx.publicUrl}, the SSH key "${added.name}" (${added.fingerprint}) was added on ${when}${from}. It can now be used to log in.`,
    'If this was you, there is nothing to do.',
    `If this was not you, someone is signed in to your account: remove the key with "mux1 keys list" and "mux1 keys remove ID", sign out the other sessions, and choose a new password: mux1 password forgot --email ${to} --server ${ctx.publicUrl}`,
  ]);
}

/** Sent when a passkey is added to an account: a passkey added by someone else is a way in. */
export function passkeyAddedMail(
  ctx: TemplateContext,
  to: string,
  username: string,
  added: { name: string; at: number; ip: string | null },
): OutgoingMail {
  const when = new Date(added.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const from = added.ip ? ` from the address ${added.ip}` : '';
  return mail(to, 'A passkey was added to your mux1 account', [
    `Hello ${username},`,
    `On your mux1 account at ${ctx.publicUrl}, the passkey "${added.name}" was added on ${when}${from}. It can now be used to sign in in the browser, without your password or a code.`,
    'If this was you, there is nothing to do.',
    `If this was not you, someone is signed in to your account: remove the passkey in the page's settings (Passkeys), sign out the other sessions, and choose a new password: mux1 password forgot --email ${to} --server ${ctx.publicUrl}`,
  ]);
}
