import type { OutgoingMail } from '../store/outbox.js';
import { mail, textsFor, type Recipient, type TemplateContext } from './templates.js';

/**
 * Sent once, when an account reaches LIMIT_WRONG_CODES_PER_DAY wrong codes in a day: from then
 * until midnight UTC every code for it is refused, so its owner must hear why their right code
 * stopped working - and that someone may be guessing.
 */
export function wrongCodesNotice(ctx: TemplateContext, to: Recipient, limit: number): OutgoingMail {
  const t = textsFor(to);
  return mail(to.email, t('wrongCodes.subject'), [
    t('hello', { username: to.username }),
    t('wrongCodes.entered', { count: limit, url: ctx.publicUrl }),
    t('wrongCodes.ifYou'),
    t('wrongCodes.notYou'),
  ]);
}
