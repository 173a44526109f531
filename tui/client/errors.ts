import type {
  ChatErrorCode,
  ConnectRefusalCode,
  ErrorBody,
  ErrorCode,
  FieldError,
} from '../../server/protocol.js';

/** Codes a server sends, in REST bodies, socket acknowledgements and connection refusals. */
export type ServerCode = ErrorCode | ChatErrorCode | ConnectRefusalCode;

/** Codes the clients make up themselves, for failures the server never saw or did not explain. */
export const CLIENT_CODES = [
  'unreachable',
  'timeout',
  'cancelled',
  'closed',
  'disconnected',
  'unexpected_response',
  'unhealthy',
  'usage',
  'no_terminal',
  'no_agent',
  'not_logged_in',
  'bad_token',
  'token_not_allowed',
  'corrupt_credentials',
  'password_mismatch',
  'write_failed',
  'database_error',
  'database_in_use',
  'backup_invalid',
  'unsupported_database',
  'invalid_config',
  'database_not_migrated',
  'email_taken',
  'confirmation_required',
  'unknown_command',
] as const;

export type ClientCode = (typeof CLIENT_CODES)[number];

export type Mux1Code = ServerCode | ClientCode;

export interface Mux1ErrorOptions {
  /** The request field the failure concerns, when there is one. */
  field?: string;
  /** Seconds to wait before trying again (a 429's Retry-After). */
  retryAfterS?: number;
  /** Every field's problem, when the server listed them (`errors`); the first is `field`'s. */
  errors?: FieldError[];
  cause?: unknown;
}

/**
 * The base of every expected failure on the client side - REST, chat, credentials, tunnel, the
 * command line - in the contract's `{error, code}` shape, so one `instanceof` tells them from bugs.
 * It imports nothing at run time, so checking an error never loads ky, Socket.IO or ssh2.
 */
export class Mux1Error<C extends string = Mux1Code> extends Error {
  override name = 'Mux1Error';
  readonly field?: string;
  readonly retryAfterS?: number;
  readonly errors?: FieldError[];

  constructor(
    readonly code: C,
    message: string,
    options: Mux1ErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.field !== undefined) this.field = options.field;
    if (options.retryAfterS !== undefined) this.retryAfterS = options.retryAfterS;
    if (options.errors !== undefined) this.errors = options.errors;
  }

  /**
   * Marks the instances across realms and duplicate copies of this module (the built CLI and the
   * sources under tsx, say), where `instanceof` cannot see them.
   */
  get isMux1Error(): true {
    return true;
  }

  static is(err: unknown): err is Mux1Error<string> {
    return (
      err instanceof Mux1Error ||
      (typeof err === 'object' && err !== null && (err as { isMux1Error?: unknown }).isMux1Error === true)
    );
  }

  /** Anything thrown, as a Mux1Error; what is not one already is a bug, said as `internal_error`. */
  static from(err: unknown): Mux1Error<string> {
    if (Mux1Error.is(err)) return err;
    return new Mux1Error('internal_error', err instanceof Error ? err.message : String(err), { cause: err });
  }

  /** The contract's name for the sentence, so `{error, code}` readers need no special case. */
  get error(): string {
    return this.message;
  }

  toJSON(): ErrorBody<C> {
    return {
      error: this.message,
      code: this.code,
      ...(this.field ? { field: this.field } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}
