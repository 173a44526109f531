import nodemailer from 'nodemailer';
import type { Logger } from '../log.js';
import type { OutgoingMail } from '../store/outbox.js';

export interface MailTransport {
  send(mail: OutgoingMail, from: string): Promise<void>;
  close(): void;
}

/**
 * SMTP when `SMTP_URL` is set. Otherwise the development mailbox: each mail is written to the
 * server log, which is where a developer running `npm start` reads the verification code.
 */
export function createTransport(smtpUrl: string | undefined, log: Logger): MailTransport {
  if (!smtpUrl) {
    return {
      async send(mail) {
        log.info(
          { mailbox: 'development', to: mail.recipient, subject: mail.subject },
          `mail to ${mail.recipient}\n${mail.text_body}`,
        );
      },
      close() {},
    };
  }
  const transporter = nodemailer.createTransport(smtpUrl, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  } as object);
  return {
    async send(mail, from) {
      await transporter.sendMail({
        from,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.text_body,
        html: mail.html_body,
      });
    },
    close() {
      transporter.close();
    },
  };
}
