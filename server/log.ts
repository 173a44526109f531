import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Structured logs: one JSON object per line. Anything that could carry a secret is redacted
 * by path, so a careless `log.info({body})` still cannot leak a password or a token.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mux1' },
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
