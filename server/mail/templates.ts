import type { OutgoingMail } from '../store/outbox.js';

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function mail(to: string, subject: string, paragraphs: string[]): OutgoingMail {
  return {
    recipient: to,
    subject,
    text_body: paragraphs.join('\n\n') + '\n',
    html_body: `<!doctype html><html><body style="font-family:sans-serif">${paragraphs
      .map((p) => `<p>${escape(p)}</p>`)
      .join('')}</body></html>`,
  };
}

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
    `Enter it in the mux1 app, or run: mux1 verify --email ${to} --code ${code} --server ${ctx.publicUrl}`,
    'If you did not sign up for mux1, ignore this mail: no account is active without this code.',
  ]);
}

/** Sent instead of a code when someone signs up with an address that already has an account. */
export function existingAccountMail(ctx: TemplateContext, to: string): OutgoingMail {
  return mail(to, 'Someone tried to sign up to mux1 with your address', [
    'Hello,',
    `Someone (perhaps you) tried to create a mux1 account at ${ctx.publicUrl} with this address, which already has an account. No new account was created.`,
    'If it was you, log in with your existing account; if you have not verified it yet, ask for a new code with: mux1 resend --email ' +
      to,
    'If it was not you, you can ignore this mail.',
  ]);
}
