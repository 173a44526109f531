import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

const CODE = /\b(\d{6})\b/;

export interface CapturedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtp {
  url: string;
  port: number;
  messages: CapturedMail[];
  /** Resolves with the first captured mail (past or future) that matches. */
  waitFor(match: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** The code in the newest code mail to `to`, once more than `after` such mails arrived. */
  codeFor(to: string, options?: { after?: number; timeoutMs?: number }): Promise<string>;
  /** How many code mails `to` has received so far. */
  codeCount(to: string): number;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps every mail it receives. */
export async function startSmtp(port = 0, options: { delayMs?: number } = {}): Promise<TestSmtp> {
  const messages: CapturedMail[] = [];
  const waiters: { match: (m: CapturedMail) => boolean; resolve: (m: CapturedMail) => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
          const to = Array.isArray(parsed.to) ? parsed.to[0]?.text : parsed.to?.text;
          const mail: CapturedMail = {
            from: parsed.from?.text ?? '',
            to: to ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          };
          messages.push(mail);
          for (const w of [...waiters]) {
            if (w.match(mail)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(mail);
            }
          }
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.server.address() as AddressInfo).port;
  const waitFor = (match: (m: CapturedMail) => boolean, timeoutMs = 10_000) => {
    const found = messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<CapturedMail>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching mail arrived in time')), timeoutMs);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  };
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    messages,
    waitFor,
    async codeFor(to, { after = 0, timeoutMs = 10_000 } = {}) {
      const codeMails = () => messages.filter((m) => m.to === to && CODE.test(m.subject));
      if (codeMails().length <= after) await waitFor(() => codeMails().length > after, timeoutMs);
      return CODE.exec(codeMails().at(-1)!.subject)![1]!;
    },
    codeCount: (to) => messages.filter((m) => m.to === to && CODE.test(m.subject)).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
