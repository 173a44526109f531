import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Knex puts the failed statement, values included, before the driver's message. */
const SQL_START = /^\s*(select|insert|update|delete|with|create|alter|drop|pragma|begin|commit|rollback)\b/i;

const withoutSql = (message: string): string =>
  SQL_START.test(message) && message.includes(' - ')
    ? `[query] - ${message.slice(message.lastIndexOf(' - ') + 3)}`
    : message;

/**
 * pino's error serializer, minus the SQL that knex writes into a failed query's message: its
 * values can be a code (an outbox insert carries the mail) or a hash. The driver's own message
 * and the error code stay, which is what an operator needs.
 */
function errWithoutSql(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  if (typeof out.message !== 'string' || !SQL_START.test(out.message)) return out;
  const original = out.message;
  const cleaned = withoutSql(original);
  out.message = cleaned;
  if (typeof out.stack === 'string') out.stack = out.stack.replace(original, cleaned);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mux1' },
      serializers: { err: errWithoutSql },
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'body',
          '*.body',
          'req.headers.authorization',
          'headers.authorization',
          'current_password',
          '*.current_password',
        ],
        censor: '[redacted]',
      },
    },
    destination ??
      // A person at a terminal gets readable lines; anything else (files, collectors) gets JSON.
      (process.stdout.isTTY
        ? pretty({
            colorize: !process.env.NO_COLOR,
            translateTime: 'HH:MM:ss',
            ignore: 'pid,hostname,service',
            sync: true,
          })
        : pino.destination({ fd: 1, sync: false })),
  );
}
