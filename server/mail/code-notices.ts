import type { OutgoingMail } from '../store/outbox.js';
import { mail, type TemplateContext } from './templates.js';

/**
 * Sent once, when an account reaches LIMIT_WRONG_CODES_PER_DAY wrong codes in a day: from then
 * until midnight UTC every code for it is refused, so its owner must hear why their right code
 * stopped working - and that someone may be guessing.
 */
export function wrongCodesNotice(
  ctx: TemplateContext,
  to: string,
  username: string,
  limit: number,
): OutgoingMail {
  return mail(to, 'Too many wrong mux1 codes for your account today', [
    `Hello ${username},`,
    `${limit} wrong codes were entered today for your mux1 account at ${ctx.publicUrl} (email verification or password reset). Until midnight UTC, every code for the account is refused, right or wrong.`,
    'If this was you, wait until tomorrow and ask for a new code. Your password still works for logging in.',
    'If this was not you, someone is guessing codes for your account. They were stopped: your password has not changed, and nobody can change it with a code today.',
  ]);
}
