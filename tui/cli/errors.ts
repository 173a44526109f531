/**
 * The command line's own failures, beside the ApiError of the REST client. Exit status follows
 * PROTOCOL.md: 2 when the command was called wrongly, 1 for everything else.
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** The caller got the command wrong: unknown flag, missing flag, bad value. Exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string, code = 'usage') {
    super(code, message, 2);
  }
}
