import type { Db } from '../store/db.js';
import { pendingCount } from '../store/outbox.js';
import type { MailTransport } from '../mail/transport.js';
import type { Metrics, MetricsSources } from './registry.js';

/** Scrape-time readings from the database and the live sockets. */
export function serverSources(db: Db, socketsOpen: () => number): MetricsSources {
  return {
    async outbox() {
      const failed = await db('mail_outbox')
        .whereNotNull('failed_at')
        .count<{ n: number | string }[]>({ n: '*' });
      return { pending: await pendingCount(db), failed: Number(failed[0]?.n ?? 0) };
    },
    socketsOpen,
    async lastMessageId() {
      const row = await db('messages').max<{ id: number | string | null }[]>({ id: 'id' });
      return Number(row[0]?.id ?? 0);
    },
  };
}

/** The transport, counting each send attempt as sent or failed (a failed one is retried later). */
export function countedTransport(transport: MailTransport, metrics: Metrics): MailTransport {
  return {
    async send(mail, from) {
      try {
        await transport.send(mail, from);
      } catch (err) {
        metrics.mailFailed();
        throw err;
      }
      metrics.mailSent();
    },
    close: () => transport.close(),
  };
}
