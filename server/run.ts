import { loadServerConfig, ConfigError, type ConfigSources } from '../config/index.js';
import { createServer } from './main.js';
import { createLogger, openLogFile } from './log.js';

/**
 * The entry point of `mux1 server`, loaded only when that command runs (so `mux1 --help` never
 * loads the server). Runs the server until SIGINT/SIGTERM, then closes it: requests in flight
 * finish, the mail worker stops between mails, and the process exits 0. A second signal exits at
 * once.
 */
export async function runServer(sources: ConfigSources): Promise<void> {
  let config;
  try {
    config = loadServerConfig(sources);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mux1 server: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let server: ReturnType<typeof createServer> | undefined;
  let logFile: Awaited<ReturnType<typeof openLogFile>>;
  try {
    logFile = await openLogFile(config);
  } catch (err) {
    process.stderr.write(`mux1 server: LOG_FILE ${config.logFile}: ${(err as Error).message}\n`);
    process.exit(2);
  }
  try {
    // Inside the try: building the server can fail too (a database URL it cannot use).
    server = createServer(config, logFile ? { log: createLogger(config.logLevel, logFile) } : {});
    await server.listen();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mux1 server: ${err.message}\n`);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${config.port} on ${config.host} is already in use (set --port or PORT)`
        : e.code === 'EACCES'
          ? `not allowed to listen on ${config.host}:${config.port}`
          : e.message;
    process.stderr.write(`mux1 server: cannot start: ${why}\n`);
    await server?.close().catch(() => {});
    process.exit(1);
  }
  const running = server;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      running.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        running.log.error({ waitingFor: running.closing }, 'shutdown took over 10 s; exiting anyway');
        process.exit(1);
      }, 10_000);
      force.unref();
      running.close().then(resolve, (err) => {
        running.log.error({ err }, 'error during shutdown');
        process.exit(1);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // SIGHUP (whose default would end the process) reopens the log file after logrotate moved
    // it and serves a renewed TLS certificate to new connections; open ones are left alone.
    process.on('SIGHUP', () => {
      logFile?.reopen();
      running.log.info('SIGHUP: log file reopened');
      try {
        if (running.reloadTls()) running.log.info('SIGHUP: TLS certificate and key reloaded');
      } catch (err) {
        running.log.error({ err }, 'SIGHUP: TLS certificate not reloaded; the previous one stays in use');
      }
    });
  });
  // Everything close() owns is closed. Should some handle still hold the event loop (CI saw a
  // closed server stay up until the 10 s guard, twice in six runs, without naming a step), say
  // which and exit 0 anyway: the timer is unref'd, so it fires only when something lingers.
  setTimeout(() => {
    running.log.warn({ open: process.getActiveResourcesInfo() }, 'still running 1 s after shutdown; exiting');
    running.log.flush?.();
    process.exit(0);
  }, 1000).unref();
  running.log.flush?.();
}
