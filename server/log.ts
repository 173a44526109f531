import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import pinoRoll from 'pino-roll';
import type { SonicBoom } from 'sonic-boom';

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

export interface LogFileSettings {
  logFile?: string;
  logFileSize: string;
  logFileCount: number;
}

/**
 * LOG_FILE: JSON lines to a file that pino-roll rotates by size. `mux1.log` is written as
 * `mux1.1.log`, then `mux1.2.log` once LOG_FILE_SIZE is past, and so on; LOG_FILE_COUNT files
 * are kept besides the current one, which the symlink `current.log` beside them names. The
 * returned stream's `reopen()` (SIGHUP) starts the current file again after an outside tool moved
 * it. Undefined without LOG_FILE: the logs go to stdout.
 */
export async function openLogFile(settings: LogFileSettings): Promise<SonicBoom | undefined> {
  if (!settings.logFile) return undefined;
  // Made here: pino-roll links current.log before its own `mkdir` has made the folder.
  mkdirSync(dirname(resolve(settings.logFile)), { recursive: true });
  return pinoRoll({
    file: settings.logFile,
    size: settings.logFileSize.toLowerCase(),
    limit: { count: settings.logFileCount },
    symlink: true,
    mkdir: true,
  });
}
