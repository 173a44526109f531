import ky, { HTTPError, TimeoutError, type KyInstance } from 'ky';
import type {
  AccountExport,
  ActivityBody,
  BackupCodesBody,
  ActivityQuery,
  ChangePasswordBody,
  ChangePasswordRequest,
  DeleteAccountRequest,
  DeviceCodeBody,
  DeviceCodeRequest,
  ErrorBody,
  FieldError,
  ForgotPasswordRequest,
  HealthBody,
  LoginBody,
  LoginRequest,
  MeBody,
  MessageBody,
  MfaRequiredBody,
  ResendRequest,
  ResetPasswordRequest,
  RevokeOthersBody,
  ServerStatusBody,
  SessionInfo,
  SessionsBody,
  SessionsQuery,
  SignupRequest,
  TwoFactorSetupBody,
  TwoFactorStatusBody,
  VerifyEmailRequest,
} from '../../server/protocol.js';
import { CHALLENGE_HEADER, SESSIONS_PAGE, type ChallengeBody } from '../../server/protocol.js';

/** How many pages allSessions reads at most: a bound on a server that never ends its list. */
const ALL_SESSIONS_PAGES = 50;
import { isChallengeRequired, solveChallenge } from './challenge.js';
import { safeText } from './safe-text.js';
import { Mux1Error, type Mux1Code } from './errors.js';
import type { CreatedToken, CreateTokenRequest, TokensBody } from './tokens.js';
import { adminCalls } from './admin.js';
import { terminal } from './language.js';
import type { Language } from '../../i18n/index.js';
import type {
  AddSshKeyRequest,
  SshChallengeBody,
  SshKeyInfo,
  SshKeyPolicyRequest,
  SshKeysBody,
  SshLoginRequest,
} from '../../server/protocol.js';

/**
 * Every failure of a call, in the contract's shape: the server's own `{error, code}` when it
 * answered one, otherwise a client-side code (`unreachable`, `timeout`, `unexpected_response`)
 * whose message names the server, so a script's log says what went wrong where.
 */
export class ApiError extends Mux1Error {
  override name = 'ApiError';
  constructor(
    code: Mux1Code,
    message: string,
    readonly status?: number,
    field?: string,
    /** Seconds from a 429's Retry-After header. */
    retryAfterS?: number,
    errors?: FieldError[],
  ) {
    super(code, message, { field, retryAfterS, errors });
  }
}

export interface RestClientOptions {
  /** Normalised server URL (see server-url.ts), without /api. */
  server: string;
  token?: string;
  userAgent?: string;
  timeoutMs?: number;
  /** Retries for GETs only: repeating a POST could sign up or log in twice. */
  retries?: number;
  /** The Accept-Language of every request; the terminal's language unless given. */
  language?: Language;
}

export type RestClient = ReturnType<typeof createRestClient>;

const DEFAULT_TIMEOUT_MS = 10_000;

export function createRestClient(options: RestClientOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const http = ky.create({
    prefixUrl: `${options.server}/api/`,
    timeout: timeoutMs,
    retry: {
      limit: options.retries ?? 2,
      methods: ['get'],
      statusCodes: [408, 429, 502, 503, 504],
      backoffLimit: 1000,
      maxRetryAfter: 3000,
    },
    headers: {
      // So the server knows the person's language: an account signed up from a German terminal
      // gets its mails in German (the server stores it at signup; PATCH /api/me changes it).
      'accept-language': options.language ?? terminal.language,
      ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
  });

  const call = async <T>(send: (http: KyInstance) => Promise<Response>): Promise<T> => {
    let res: Response;
    try {
      res = await send(http);
    } catch (err) {
      // Proof of work the server asks for (after failed logins, many signups): solve it and
      // send the request once more with the solution, so the person only notices a pause.
      const challenge = await challengeIn(err);
      if (!challenge) throw await toApiError(err, options.server, timeoutMs);
      const solved = await solveChallenge(challenge);
      try {
        res = await send(http.extend({ headers: { [CHALLENGE_HEADER]: solved } }));
      } catch (again) {
        throw await toApiError(again, options.server, timeoutMs);
      }
    }
    if (res.status === 204) return undefined as T;
    try {
      return (await res.json()) as T;
    } catch {
      throw unexpected(options.server, res);
    }
  };
  const post = <T>(path: string, json?: unknown) =>
    call<T>((h) => h.post(path, json === undefined ? {} : { json }));

  return {
    server: options.server,
    /**
     * Resolves with the report whether the server is healthy (200) or not (503): an unhealthy
     * report is an answer, not a transport failure. No retry on 503 for the same reason.
     */
    async health(): Promise<HealthBody> {
      try {
        return await call<HealthBody>((h) =>
          h.get('health', { retry: { limit: options.retries ?? 2, statusCodes: [408, 502, 504] } }),
        );
      } catch (err) {
        if (err instanceof UnhealthyError) return err.health;
        throw err;
      }
    },
    serverStatus: () => call<ServerStatusBody>((h) => h.get('server-status')),
    signup: (body: SignupRequest) => post<MessageBody>('signup', body),
    verifyEmail: (body: VerifyEmailRequest) => post<MessageBody>('verify-email', body),
    resendVerification: (body: ResendRequest) => post<MessageBody>('resend-verification', body),
    /** With two-factor sign-in on, the right password answers MfaRequiredBody: then loginSecondStep. */
    login: (body: LoginRequest) => post<LoginBody | MfaRequiredBody>('login', body),
    loginSecondStep: (body: { mfa_token: string; code: string }) => post<LoginBody>('login/2fa', body),
    // Device login (RFC 8628): codes for this terminal, then polls until a browser approves them.
    deviceCode: (body: DeviceCodeRequest) => post<DeviceCodeBody>('device/code', body),
    deviceToken: (body: { device_code: string }) => post<LoginBody>('device/token', body),
    logout: () => post<void>('logout'),
    me: () => call<MeBody>((h) => h.get('me')),
    /** The language of the account's mails (`null`: none chosen, English); answers as `me`. */
    setMailLanguage: (locale: Language | null) => call<MeBody>((h) => h.patch('me', { json: { locale } })),
    // Account lifecycle. A password reset ends every session, a change every other one.
    forgotPassword: (body: ForgotPasswordRequest) => post<MessageBody>('password/forgot', body),
    resetPassword: (body: ResetPasswordRequest) => post<MessageBody>('password/reset', body),
    changePassword: (body: ChangePasswordRequest) => post<ChangePasswordBody>('password/change', body),
    /** One page of your live sessions; pass the answer's `next_before` as `before` for more. */
    listSessions: (query: SessionsQuery = {}) =>
      call<SessionsBody>((h) => h.get('sessions', { searchParams: definedOnly(query) })),
    /** Every live session, page after page (the server's largest pages, at most 10,000 sessions). */
    async allSessions(): Promise<SessionInfo[]> {
      const all: SessionInfo[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < ALL_SESSIONS_PAGES; pages++) {
        const page = await call<SessionsBody>((h) =>
          h.get('sessions', { searchParams: definedOnly({ before, limit: SESSIONS_PAGE.pageMax }) }),
        );
        all.push(...page.sessions);
        // A server from before paging answers without next_before: that one page was all.
        if (!page.next_before) break;
        before = page.next_before;
      }
      return all;
    },
    /** Ends one of your sessions (the current one too); `not_found` for any other id. */
    revokeSession: (id: string) => call<void>((h) => h.delete(`sessions/${encodeURIComponent(id)}`)),
    /** "Log out everywhere else": every session but this client's. */
    revokeOtherSessions: () => post<RevokeOthersBody>('sessions/revoke-others'),
    /** Your audit events, newest first; pass the answer's `next_before` as `before` for more. */
    activity: (query: ActivityQuery = {}) =>
      call<ActivityBody>((h) => h.get('account/activity', { searchParams: definedOnly(query) })),
    exportAccount: () => call<AccountExport>((h) => h.get('account/export')),
    deleteAccount: (body: DeleteAccountRequest) => call<void>((h) => h.delete('account', { json: body })),
    /** Signs every session and token out; the next login reactivates the account. */
    deactivateAccount: (body: DeleteAccountRequest) => post<MessageBody>('account/deactivate', body),
    // Two-factor sign-in: set up, turn on with a first code, turn off, new backup codes.
    twoFactorStatus: () => call<TwoFactorStatusBody>((h) => h.get('2fa')),
    setupTwoFactor: (body: { password: string }) => post<TwoFactorSetupBody>('2fa/setup', body),
    enableTwoFactor: (body: { code: string }) => post<BackupCodesBody>('2fa/enable', body),
    disableTwoFactor: (body: { password: string; code: string }) => post<MessageBody>('2fa/disable', body),
    regenerateBackupCodes: (body: { password: string; code: string }) =>
      post<BackupCodesBody>('2fa/backup-codes', body),
    // Personal access tokens for scripts: the token itself is in the create answer only.
    createToken: (body: CreateTokenRequest) => post<CreatedToken>('tokens', body),
    listTokens: () => call<TokensBody>((h) => h.get('tokens')),
    /** Its sockets are disconnected; `not_found` for an id that is not one of yours. */
    revokeToken: (id: string) => call<void>((h) => h.delete(`tokens/${encodeURIComponent(id)}`)),
    /** Administration (admins, signed in with a session): tui/client/admin.ts. */
    admin: adminCalls(call),
    // SSH keys: registered by a signed-in person, then a login signs a challenge with one.
    addSshKey: (body: AddSshKeyRequest) => post<SshKeyInfo>('ssh-keys', body),
    listSshKeys: () => call<SshKeysBody>((h) => h.get('ssh-keys')),
    removeSshKey: (id: string) => call<void>((h) => h.delete(`ssh-keys/${encodeURIComponent(id)}`)),
    setSshKeyPolicy: (body: SshKeyPolicyRequest) => post<MessageBody>('ssh-keys/policy', body),
    sshChallenge: (body: { username: string }) => post<SshChallengeBody>('login/ssh/challenge', body),
    /** With two-factor sign-in on (and the key the first factor only), MfaRequiredBody. */
    loginSsh: (body: SshLoginRequest) => post<LoginBody | MfaRequiredBody>('login/ssh', body),
  };
}

/** The challenge in a 428 `challenge_required` answer; the error keeps its body for toApiError. */
async function challengeIn(err: unknown): Promise<ChallengeBody | undefined> {
  if (!(err instanceof HTTPError) || err.response.status !== 428) return undefined;
  const body: unknown = await err.response
    .clone()
    .json()
    .catch(() => undefined);
  return isChallengeRequired(body) ? body.challenge : undefined;
}

/** Query parameters without the unset ones, which would otherwise be sent as "undefined". */
function definedOnly(query: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = String(value);
  return out;
}

/** A 503 from /api/health carries a report; health() hands it back instead of failing. */
class UnhealthyError extends ApiError {
  constructor(
    message: string,
    readonly health: HealthBody,
  ) {
    super('unhealthy', message, 503);
  }
}

function unexpected(server: string, res: Response): ApiError {
  return new ApiError(
    'unexpected_response',
    `The server at ${server} answered ${res.status} ${res.statusText || ''}`.trim() +
      ' without a mux1 answer; is --server pointing at a mux1 server?',
    res.status,
  );
}

async function toApiError(err: unknown, server: string, timeoutMs: number): Promise<unknown> {
  if (err instanceof HTTPError) {
    const res = err.response;
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return unexpected(server, res);
    }
    if (isHealthBody(body)) {
      return new UnhealthyError(`The server at ${server} is unhealthy (database: ${body.database})`, body);
    }
    if (!isErrorBody(body)) return unexpected(server, res);
    const retryAfter = Number(res.headers.get('retry-after'));
    return new ApiError(
      // Whatever code the server chose; a newer server may know codes this client does not.
      body.code as Mux1Code,
      body.error,
      res.status,
      body.field,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      errorsOf(body),
    );
  }
  if (err instanceof TimeoutError) {
    return new ApiError('timeout', `No answer from the server at ${server} within ${timeoutMs / 1000} s`);
  }
  const reason = networkReason(err);
  if (reason) return new ApiError('unreachable', `Cannot reach the mux1 server at ${server} (${reason})`);
  // Anything else is a bug in the client, not a failure of the call: let it surface as one.
  return err;
}

/** fetch() fails with a bare "fetch failed" TypeError; the useful part is in its cause. */
function networkReason(err: unknown): string | undefined {
  if (!(err instanceof TypeError)) return undefined;
  const cause = (err as { cause?: unknown }).cause as
    (NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] }) | undefined;
  if (!cause) return err.message;
  const code = cause.code ?? cause.errors?.[0]?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'unknown host',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  };
  if (code && known[code]) return known[code];
  // fetch() refuses ports it considers unsafe (e.g. 6000, 6667) before connecting.
  if (cause.message === 'bad port') return 'fetch refuses this port; run the server on another one';
  return code ?? cause.message ?? err.message;
}

/** Fields a form has at most: more entries come from a broken or hostile server and are dropped. */
const ERRORS_MAX = 20;

/**
 * An answer's `errors` list, its sentences made safe for a terminal and cut to a line: another
 * server wrote them. Undefined without any.
 */
function errorsOf(body: ErrorBody): FieldError[] | undefined {
  if (!Array.isArray(body.errors)) return undefined;
  const errors: FieldError[] = [];
  for (const item of body.errors.slice(0, ERRORS_MAX) as unknown[]) {
    const e = item as Partial<FieldError> | null;
    if (typeof e !== 'object' || e === null || typeof e.error !== 'string' || typeof e.code !== 'string')
      continue;
    errors.push({
      ...(typeof e.field === 'string' ? { field: safeText(e.field).slice(0, 64) } : {}),
      error: safeText(e.error).slice(0, 200),
      code: safeText(e.code).slice(0, 64),
    });
  }
  return errors.length > 0 ? errors : undefined;
}

function isErrorBody(body: unknown): body is ErrorBody {
  const b = body as Partial<ErrorBody> | null;
  return typeof b === 'object' && b !== null && typeof b.error === 'string' && typeof b.code === 'string';
}

function isHealthBody(body: unknown): body is HealthBody {
  const b = body as Partial<HealthBody> | null;
  return typeof b === 'object' && b !== null && b.status === 'unhealthy' && typeof b.database === 'string';
}
