/**
 * Wire types of the external contract (docs/api.md): REST bodies, error codes and the
 * Socket.IO event maps. The only server file that clients import, so it holds types, constants
 * and pure checks only - nothing that pulls the server in (node:zlib's crc32 is Node's own).
 */

import { crc32 } from 'node:zlib';
import type { Language } from '../i18n/index.js';

/**
 * Every code an error answer may carry, REST and Socket.IO alike, with the HTTP status a REST
 * answer gives it (over Socket.IO only the code travels). One table: the server looks the
 * status up here, so a code cannot be answered with two statuses, and a client can switch on
 * `ErrorCode` knowing the list is whole.
 */
export const ERROR_CODES = {
  invalid_field: { status: 400 },
  weak_password: { status: 400 },
  invalid_code: { status: 400 },
  malformed_json: { status: 400 },
  message_empty: { status: 400 },
  message_too_long: { status: 400 },
  too_many_rooms: { status: 400 },
  invalid_credentials: { status: 401 },
  unauthorized: { status: 401 },
  /** A password login over Socket.IO for an account with two-factor sign-in: log in over REST. */
  mfa_required: { status: 401 },
  /** The pending second step of a login expired, was used, or took too many wrong codes. */
  invalid_mfa_token: { status: 401 },
  email_not_verified: { status: 403 },
  /** The same answer whether the conversation or message exists or is someone else's. */
  forbidden: { status: 403 },
  not_in_room: { status: 403 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  username_taken: { status: 409 },
  two_factor_already_on: { status: 409 },
  two_factor_off: { status: 409 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  challenge_required: { status: 428 },
  too_many_attempts: { status: 429 },
  rate_limited: { status: 429 },
  /** Socket.IO only: a connection refused for its address's count (`connect_error` data). */
  too_many_connections: { status: 429 },
  /** A bug, logged by the server; the answer says no more than the request id. */
  internal_error: { status: 500 },
  service_unavailable: { status: 503 },
  /** Too many password checks waiting (KDF_QUEUE_MAX); Retry-After says when to come back. */
  server_busy: { status: 503 },
  /** The request's Host is not one this server answers for (ALLOWED_HOSTS: DNS rebinding). */
  misdirected_request: { status: 421 },
  /**
   * A personal access token asked for something outside its scopes, or for something no token may
   * do (passwords, two factors, tokens, sessions, export, deletion); `scope` names what it needs.
   */
  insufficient_scope: { status: 403 },
  /** A user already has TOKENS.maxLive live personal access tokens: revoke one first. */
  too_many_tokens: { status: 409 },
  /** The right password for an account an admin disabled (a wrong one is still 401). */
  account_disabled: { status: 403 },
  /** The change would leave the server without an enabled admin. */
  last_admin: { status: 409 },
  /** A moderator muted the sender in this room for a while; `until` says how long. */
  muted: { status: 403 },
  /** A moderator banned the user from this room. */
  banned: { status: 403 },
  /** A provider sign-in's state or ticket is unknown, expired, used, or from another browser. */
  invalid_oidc_state: { status: 400 },
  /** The identity provider refused, or its answer failed a check (state, PKCE, ID token, nonce). */
  provider_refused: { status: 400 },
  /** The identity provider could not be reached (discovery, token or user endpoint). */
  provider_unavailable: { status: 502 },
  /** That provider account is linked to another mux1 account. */
  identity_in_use: { status: 409 },
  /** A new account through a provider names an email an account already has: link it instead. */
  email_in_use: { status: 409 },
  /** Removing the identity would leave the account without any way to sign in. */
  last_sign_in_method: { status: 409 },
  /** Device login (RFC 8628), POST /api/device/token: nobody approved the code yet; poll again. */
  authorization_pending: { status: 400 },
  /** Device login: polled sooner than `interval` after the last poll; wait `interval` (now longer). */
  slow_down: { status: 400 },
  /** Device login: the signed-in user denied the code. */
  access_denied: { status: 400 },
  /** Device login: the device code expired, was used, or was never issued; start again. */
  expired_token: { status: 400 },
  /** A user already has SSH_KEYS.maxPerUser SSH keys: remove one first. */
  too_many_ssh_keys: { status: 409 },
  /** The SSH key is registered already (a key belongs to one account only). */
  ssh_key_taken: { status: 409 },
  /** A user already has PASSKEYS.maxPerUser passkeys: remove one first. */
  too_many_passkeys: { status: 409 },
  /** The passkey is registered already (an authenticator's credential belongs to one account). */
  passkey_taken: { status: 409 },
} as const satisfies Record<ErrorCode, { status: number }>;

export type ErrorCode =
  | 'invalid_field'
  | 'weak_password'
  | 'username_taken'
  | 'invalid_code'
  | 'invalid_credentials'
  | 'email_not_verified'
  | 'mfa_required'
  | 'too_many_attempts'
  | 'rate_limited'
  | 'challenge_required'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'service_unavailable'
  | 'server_busy'
  | 'misdirected_request'
  | 'internal_error'
  | 'message_empty'
  | 'message_too_long'
  | 'not_in_room'
  | 'too_many_rooms'
  | 'too_many_connections'
  | 'forbidden'
  | 'mfa_required'
  | 'invalid_mfa_token'
  | 'two_factor_already_on'
  | 'two_factor_off'
  | 'insufficient_scope'
  | 'too_many_tokens'
  | 'account_disabled'
  | 'last_admin'
  | 'muted'
  | 'banned'
  | 'invalid_oidc_state'
  | 'provider_refused'
  | 'provider_unavailable'
  | 'identity_in_use'
  | 'email_in_use'
  | 'last_sign_in_method'
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token'
  | 'too_many_ssh_keys'
  | 'ssh_key_taken'
  | 'too_many_passkeys'
  | 'passkey_taken';

/**
 * The body of every error answer. `Code` is the server's ErrorCode; a client that gives its own
 * failures the same shape (`unreachable`, `timeout`, ...) widens it to `string`.
 */
export interface ErrorBody<Code extends string = ErrorCode> {
  error: string;
  code: Code;
  /** The request field the error concerns, when there is one. */
  field?: string;
  /**
   * A refused request body's every problem, one per field, the first being the one above (REST
   * bodies only; docs/api.md, "Failures"): a form shows each beside its field at once.
   */
  errors?: FieldError[];
}

/** One field's problem in ErrorBody's `errors`; `field` is absent for the body as a whole. */
export interface FieldError {
  field?: string;
  error: string;
  code: string;
}

/**
 * A proof-of-work challenge (ALTCHA v1): find n in 0..maxnumber with SHA-256(salt + n) equal
 * to `challenge`, then repeat the refused request with base64(JSON {algorithm, challenge, number, salt,
 * signature}) in the `X-Altcha` header (REST) or the `altcha` field (Socket.IO `authenticate`).
 * `GET /api/challenge` hands one out too.
 */
export interface ChallengeBody {
  algorithm: 'SHA-256';
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

/** 428 `challenge_required`: the request needs a solved challenge; this one is ready to solve. */
export interface ChallengeRequiredBody extends ErrorBody {
  code: 'challenge_required';
  challenge: ChallengeBody;
}

/** The REST header that carries a solved challenge. */
export const CHALLENGE_HEADER = 'X-Altcha';

export interface MessageBody {
  message: string;
}

export interface PublicUser {
  id: number;
  username: string;
  email: string;
}

export interface HealthBody {
  status: 'healthy' | 'unhealthy';
  database: string;
  version: string;
  uptime_s: number;
}

export interface ServerStatusBody {
  status: 'online';
  uptime_s: number;
  connected_users: number;
  total_users: number;
}

export interface SignupRequest {
  username: string;
  email: string;
  password: string;
  /** The language of the account's mails; when absent, the request's Accept-Language decides. */
  locale?: Language | null;
}

export interface VerifyEmailRequest {
  email: string;
  code: string;
}

export interface ResendRequest {
  email: string;
}

export interface LoginRequest {
  /** A username or an email address. */
  username: string;
  password: string;
}

export interface LoginBody extends MessageBody {
  token: string;
  /** ISO 8601. */
  expires_at: string;
  user: PublicUser;
}

export interface MeBody {
  /** `locale`: the language of the account's mails (PATCH /api/me); null when none was chosen. */
  user: PublicUser & { created_at: string; two_factor: boolean; locale: Language | null };
  /** How the caller signed in: a session, or a personal access token (then its name and scopes). */
  credential: MeCredential;
}

export type MeCredential =
  | { type: 'session' }
  | { type: 'token'; id: string; name: string; scopes: TokenScope[]; expires_at: string | null };

// --- Two-factor sign-in (TOTP, RFC 6238) ----------------------------------------------------------

/** The rules both sides share: the codes an authenticator shows, and the backup codes. */
export const TWO_FACTOR = {
  totpDigits: 6,
  periodSeconds: 30,
  /** Steps of clock difference accepted either way. */
  skewSteps: 1,
  backupCodeCount: 10,
  /** Characters of a backup code, 5 bits each, shown in groups of 4 (`7k2m-x9qa-4hbn`). */
  backupCodeLength: 12,
  /** How long the second step of a login may wait for its code. */
  mfaTokenMinutes: 5,
  /** Wrong codes that end a pending login. */
  mfaTokenTries: 5,
  /** The longest second-factor field accepted: a backup code with spaces fits. */
  codeMax: 64,
} as const;

/** POST /api/2fa/setup: not active until POST /api/2fa/enable gets a code made from it. */
export interface TwoFactorSetupBody {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  /** otpauth://totp/..., what the QR code holds. */
  otpauth_url: string;
  /** The same as an SVG image (black modules on white), for a page to show. */
  qr_svg: string;
}

/** POST /api/2fa/enable and /api/2fa/backup-codes: shown this once, stored only as hashes. */
export interface BackupCodesBody extends MessageBody {
  backup_codes: string[];
}

/** GET /api/2fa. */
export interface TwoFactorStatusBody {
  enabled: boolean;
  /** ISO 8601, or null while it is off. */
  enabled_at: string | null;
  /** Backup codes not used yet. */
  backup_codes_left: number;
}

/** POST /api/login for an account with two-factor sign-in: no session yet. */
export interface MfaRequiredBody extends MessageBody {
  mfa_required: true;
  /** Send with the code to POST /api/login/2fa. */
  mfa_token: string;
  /** ISO 8601. */
  expires_at: string;
}

/** What a second-factor field can hold: a TOTP code, or a backup code (case, spaces, dashes free). */
export function secondFactorProblem(code: string): string | undefined {
  const plain = code.toLowerCase().replace(/[\s-]/g, '');
  if (new RegExp(`^\\d{${TWO_FACTOR.totpDigits}}$`).test(plain)) return undefined;
  if (new RegExp(`^[0-9a-z]{${TWO_FACTOR.backupCodeLength}}$`).test(plain)) return undefined;
  return FIELD_RULES.second_factor;
}

// --- Account lifecycle (docs/api.md, "REST routes"). Times are ISO 8601. ------------------

export interface ForgotPasswordRequest {
  email: string;
}

export interface ResetPasswordRequest {
  email: string;
  code: string;
  password: string;
}

export interface ChangePasswordRequest {
  current_password: string;
  password: string;
}

export interface ChangePasswordBody extends MessageBody {
  /** How many other sessions the change signed out. */
  revoked_sessions: number;
}

export interface SessionInfo {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  user_agent: string | null;
  ip: string | null;
  /** The session of the token that asked. */
  current: boolean;
}

/** GET /api/sessions?before=<next_before>&limit=<n>: most recently used first. */
export interface SessionsQuery {
  before?: string;
  limit?: number;
}

export interface SessionsBody {
  sessions: SessionInfo[];
  /** `before` for the next page; null when this page is the last. */
  next_before: string | null;
}

export const SESSIONS_PAGE = { pageDefault: 50, pageMax: 200 } as const;

/** POST /api/sessions/revoke-others. */
export interface RevokeOthersBody extends MessageBody {
  revoked: number;
}

export interface ActivityEvent {
  /** Pass as `before` to page past it. */
  id: number;
  /** e.g. login, login_failed, logout, password_reset, password_changed, session_revoked, ... */
  type: string;
  at: string;
  ip: string | null;
  user_agent: string | null;
}

/** GET /api/account/activity?before=<id>&limit=<n>: newest first. */
export interface ActivityQuery {
  before?: number;
  limit?: number;
}

export interface ActivityBody {
  events: ActivityEvent[];
  /** `before` for the next, older page; null when this page is the last. */
  next_before: number | null;
}

export const ACTIVITY = { pageDefault: 50, pageMax: 200 } as const;

/** GET /api/account/export: everything stored about the user, no password, token or code hash. */
export interface AccountExport {
  exported_at: string;
  user: PublicUser & {
    created_at: string;
    email_verified_at: string | null;
    failed_logins: number;
    last_failed_login_at: string | null;
    /** Whether two-factor sign-in is on and since when; never its secret or codes. */
    two_factor: { enabled: boolean; enabled_at: string | null };
  };
  /** Ended sessions too, while their rows are kept. */
  sessions: (SessionInfo & { revoked_at: string | null })[];
  codes: {
    purpose: 'verify' | 'reset' | string;
    attempts: number;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  }[];
  /** Access tokens, ended ones too while their rows are kept; never a token or its hash. */
  tokens: (TokenInfo & { last_used_ip: string | null; revoked_at: string | null })[];
  /** The identity providers' accounts linked to this one (issuer + subject sign in). */
  identities: {
    provider: string;
    issuer: string;
    subject: string;
    email: string | null;
    created_at: string;
    last_used_at: string | null;
  }[];
  /** The SSH keys that log in to this account, with each public key as an OpenSSH line. */
  ssh_keys: (SshKeyInfo & { public_key: string })[];
  /** The passkeys that sign in to it: the credential's id and COSE public key (base64url), never
   * the private key, which stays in the authenticator. */
  passkeys: (PasskeyInfo & { credential_id: string; public_key: string })[];
  /** The users this account blocks in chat. */
  blocks: { username: string; blocked_at: string }[];
  /** How far the account has read each room and direct conversation (`last_read_id`, 0 when a
   * conversation is listed but nothing in it was read). */
  read_markers: { room: string; last_read_id: number }[];
  messages: { id: number; room: string; text: string; created_at: string }[];
  activity: ActivityEvent[];
}

export interface DeleteAccountRequest {
  password: string;
}

/** Limits shared by the server and its clients, so a client can check before it sends. */
export const LIMITS = {
  bodyBytes: 16 * 1024,
  usernameMin: 3,
  usernameMax: 32,
  emailMax: 254,
  passwordMin: 8,
  passwordMax: 128,
  codeDigits: 6,
  messageMax: 2000,
} as const;

/*
 * The field rules a client can check before it sends, worded as the server words them, so a typo
 * is caught without a round trip. The server checks them again, and more (a taken username, a
 * common password). Each returns what is wrong, or undefined.
 */

/** Checked as the server stores it: trimmed and lower-cased. */
export function usernameProblem(username: string): string | undefined {
  const { usernameMin: min, usernameMax: max } = LIMITS;
  return new RegExp(`^[a-z0-9_.-]{${min},${max}}$`).test(username.trim().toLowerCase())
    ? undefined
    : FIELD_RULES.username;
}

/** Looser than the server's check: a client must never refuse an address the server takes. */
export function emailProblem(email: string): string | undefined {
  const trimmed = email.trim();
  if (trimmed.length > LIMITS.emailMax) return FIELD_RULES.email_too_long;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed) ? undefined : FIELD_RULES.email;
}

/** Length only, in code points after NFKC as the server counts; whether it is too common is the server's call. */
export function passwordProblem(password: string): string | undefined {
  const { passwordMin: min, passwordMax: max } = LIMITS;
  const length = password.length > max * 4 ? Infinity : [...password.normalize('NFKC')].length;
  return length >= min && length <= max ? undefined : FIELD_RULES.password;
}

export function codeProblem(code: string): string | undefined {
  return new RegExp(`^\\d{${LIMITS.codeDigits}}$`).test(code.trim()) ? undefined : FIELD_RULES.code;
}

/** Counted in code points, so an emoji is one character, as a person would count it. */
export function messageProblem(text: string): string | undefined {
  if (text.trim() === '') return FIELD_RULES.message_empty;
  if (text.length > LIMITS.messageMax && [...text].length > LIMITS.messageMax) {
    return FIELD_RULES.message_too_long;
  }
  return undefined;
}

// --- Socket.IO (docs/api.md, "Socket.IO") -------------------------------------------------------

export const SOCKET_PATH = '/socket.io';

/** Chat rules shared by the server and its clients. */
export const CHAT = {
  /** Every signed-in socket starts here, and a message without a room goes here. */
  defaultRoom: 'lobby',
  roomPattern: /^[a-z0-9_-]{1,32}$/,
  roomMax: 32,
  /** Rooms one socket may be in at once, so a client cannot make the server track thousands. */
  roomsPerSocket: 50,
  historyDefault: 50,
  historyMax: 200,
  /** A message's `client_id`: 1-64 visible ASCII characters (a UUID fits), chosen by the client. */
  clientIdPattern: /^[\x21-\x7e]{1,64}$/,
  clientIdMax: 64,
  /** A direct message room between the users with ids a < b: `dm:a-b`. */
  dmPattern: /^dm:([1-9][0-9]{0,9})-([1-9][0-9]{0,9})$/,
  /**
   * Unread messages are counted up to this many per room; a room past it answers this figure
   * ("999 or more"), so counting costs the same in a room of ten messages and of a million.
   */
  unreadMax: 999,
  searchDefault: 20,
  searchMax: 50,
  /** A search query: at most this many characters, of which at most `searchTermsMax` words count. */
  searchQueryMax: 200,
  searchTermsMax: 8,
  /** Mentions resolved per message; more `@names` in one text are left as text. */
  mentionsMax: 20,
} as const;

/** The room of the direct messages between two users. */
export function dmRoom(userA: number, userB: number): string {
  return `dm:${Math.min(userA, userB)}-${Math.max(userA, userB)}`;
}

/** The two user ids of a direct message room's name, or undefined for any other name. */
export function dmParties(room: string): [number, number] | undefined {
  const match = CHAT.dmPattern.exec(room);
  if (!match) return undefined;
  const [a, b] = [Number(match[1]), Number(match[2])];
  return a < b ? [a, b] : undefined;
}

export function roomProblem(room: string): string | undefined {
  return CHAT.roomPattern.test(room) || dmParties(room) ? undefined : FIELD_RULES.room;
}

/** A search query the server will take: some word (letters or digits) and not too long. */
export function searchQueryProblem(query: string): string | undefined {
  if (query.length > CHAT.searchQueryMax) return FIELD_RULES.query_too_long;
  return /[\p{L}\p{N}]/u.test(query) ? undefined : FIELD_RULES.query_word;
}

/**
 * What each shared field rule says when it is broken, by its name: the server sends these English
 * sentences, and clients that speak another language find the rule by its sentence
 * (`fieldRuleOf`) and say it in their own words. Fixed texts, never a value the person typed.
 */
export const FIELD_RULES = {
  username: `username must be ${LIMITS.usernameMin}-${LIMITS.usernameMax} characters of a-z, 0-9, _ . -`,
  email: 'email must be a valid address',
  email_too_long: `email must be at most ${LIMITS.emailMax} characters`,
  password: `password must be ${LIMITS.passwordMin}-${LIMITS.passwordMax} characters`,
  code: `code must be ${LIMITS.codeDigits} digits`,
  second_factor: `code must be the ${TWO_FACTOR.totpDigits} digits of your authenticator app or a backup code`,
  message_empty: 'message is empty',
  message_too_long: `message is longer than ${LIMITS.messageMax} characters`,
  room: `room must be 1-${CHAT.roomMax} characters of a-z, 0-9, _ and -, or dm:A-B`,
  query_too_long: `query must be at most ${CHAT.searchQueryMax} characters`,
  query_word: 'query must contain a word (letters or digits)',
} as const;
export type FieldRule = keyof typeof FIELD_RULES;

/** The rule a field problem's sentence states, or undefined for any other sentence. */
export function fieldRuleOf(problem: string): FieldRule | undefined {
  return (Object.keys(FIELD_RULES) as FieldRule[]).find((rule) => FIELD_RULES[rule] === problem);
}

/** The codes a Socket.IO acknowledgement or `auth_error` carries most often. */
export type ChatErrorCode = Extract<
  ErrorCode,
  | 'unauthorized'
  | 'invalid_field'
  | 'invalid_credentials'
  | 'email_not_verified'
  | 'too_many_attempts'
  | 'server_busy'
  | 'message_empty'
  | 'message_too_long'
  | 'rate_limited'
  | 'not_in_room'
  | 'too_many_rooms'
  | 'forbidden'
  | 'not_found'
  | 'internal_error'
  | 'insufficient_scope'
  | 'muted'
  | 'banned'
>;

/** Connection refusals arrive as `connect_error` with `err.data = {code}`. */
export type ConnectRefusalCode = Extract<ErrorCode, 'too_many_connections'>;

/** How other users appear in chat: never with an email address. */
export interface ChatUser {
  id: number;
  username: string;
}

export interface ConnectedEvent {
  message: string;
  sid: string;
  user: ChatUser | null;
}

/** `altcha`: a solved challenge, when the last answer was `challenge_required`. */
export type AuthenticateRequest = { username: string; password: string; altcha?: string } | { token: string };

export interface AuthSuccessEvent {
  message: string;
  user: ChatUser;
  /** Only after a password login, which opens a new session: reconnect with it as `auth.token`. */
  token?: string;
  /** ISO 8601, with `token`. */
  expires_at?: string;
}

export type AuthErrorEvent = ErrorBody;

/**
 * A bare string goes to the default room. The text must hold something besides whitespace and
 * at most LIMITS.messageMax characters, counted as Unicode code points (`[...text].length`).
 * `client_id` (CHAT.clientIdPattern) makes a resend safe: the same `client_id` from the same
 * user again stores nothing and is acknowledged with the first message's id.
 */
export type SendMessageRequest =
  | string
  | { room?: string; text: string; client_id?: string }
  /** A direct message to the user of that name (into the room `dm:a-b`); not with `room`. */
  | { to: string; text: string; client_id?: string };

export interface ChatMessage {
  id: number;
  /** A public room's name, or `dm:a-b` for a direct message. */
  room: string;
  /** null once the author's account is deleted: the message stays, anonymised. */
  user: ChatUser | null;
  text: string;
  /** Milliseconds since the epoch, when the server stored it. */
  ts: number;
  /** The ids of the users its `@username`s named, resolved when it was stored (or last edited). */
  mentions: number[];
  /** Milliseconds since the epoch of its last edit; null when never edited. */
  edited_at: number | null;
}

export interface EditRequest {
  id: number;
  text: string;
}

export interface DeleteRequest {
  id: number;
}

export interface MessageEditedEvent {
  id: number;
  room: string;
  text: string;
  edited_at: number;
  mentions: number[];
}

export interface MessageDeletedEvent {
  id: number;
  room: string;
}

/** `read`: the user has read `room` up to message `id`. A marker never moves back. */
export interface ReadRequest {
  room: string;
  id: number;
}

/** Sent to every socket of the user when their marker of a room moved (another device read it). */
export interface ReadEvent {
  room: string;
  last_read_id: number;
}

export interface RoomState {
  room: string;
  /** Messages by others after `last_read_id`, counted up to CHAT.unreadMax. */
  unread: number;
  /** Those of them that mention the user. */
  mentions: number;
  last_read_id: number;
  /** For a direct message room: the other user. */
  with?: ChatUser;
}

export interface SearchRequest {
  query: string;
  room?: string;
  /** 1 to CHAT.searchMax, default CHAT.searchDefault. */
  limit?: number;
}

export interface BlockRequest {
  username: string;
}

export interface RoomRequest {
  room: string;
}

export interface HistoryRequest {
  /** A room, or leave it out and give `with`. */
  room?: string;
  /** A username: the direct messages with that user. */
  with?: string;
  /** A message id: the newest `limit` messages older than it. */
  before?: number;
  /**
   * A message id: the oldest `limit` messages newer than it, which is how a client catches up
   * after a reconnection (ask again from the last id until a page comes back short). Not with `before`.
   */
  after?: number;
  /** 1 to CHAT.historyMax, default CHAT.historyDefault. */
  limit?: number;
}

export interface PresenceEvent {
  room: string;
  users: ChatUser[];
}

export type TypingRequest = RoomRequest;

export interface TypingEvent {
  room: string;
  user: ChatUser;
}

// --- Moderation and private rooms (docs/api.md, "Moderation") ------------------------------------

export const MODERATION_ACTIONS = ['delete', 'kick', 'mute', 'unmute', 'ban', 'unban'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

export const MODERATION = {
  /** A mute (or a timed ban) lasts 1 minute to 7 days. */
  minutesMin: 1,
  minutesMax: 10_080,
} as const;

/**
 * `moderate` (moderators and admins): `delete` needs `message_id` (a message of `room`); the
 * others need `user_id`; `mute` needs `minutes`, `ban` takes it for a ban that ends by itself.
 */
export interface ModerateRequest {
  action: ModerationAction;
  room: string;
  user_id?: number;
  /** The member by name instead of `user_id` (not both). */
  username?: string;
  message_id?: number;
  minutes?: number;
}

/**
 * The line everyone in the room (and the member acted on) sees when a member is kicked, muted,
 * unmuted, banned or unbanned. A deleted message arrives as `message_deleted` instead.
 */
export interface ModerationEvent {
  room: string;
  action: Exclude<ModerationAction, 'delete'>;
  user: ChatUser;
  by: ChatUser;
  /** End of a mute or timed ban, ms since the epoch; null for a ban with no end. */
  until?: number | null;
}

/** `create`: a private room whose creator owns it. */
export interface CreateRoomRequest {
  room: string;
  private: true;
}

/** `invite` / `remove`: the owner of a private room adds or takes out a member. */
export interface RoomMemberRequest {
  room: string;
  username: string;
}

export type AckFailure = { ok: false } & ErrorBody;
export type Ack<T extends object = object> = ({ ok: true } & T) | AckFailure;

export type AuthenticateAck = Ack<AuthSuccessEvent>;
export type MessageAck = Ack<{ id: number }>;
export type RoomAck = Ack<{ room: string }>;
/** `room`: the room read; `with`: the other user, when the request named them by `with`. */
export type HistoryAck = Ack<{ room: string; with?: ChatUser; messages: ChatMessage[] }>;
export type EditAck = Ack<{ id: number; edited_at: number }>;
export type DeleteAck = Ack<{ id: number }>;
export type ReadAck = Ack<ReadEvent>;
export type RoomsAck = Ack<{ rooms: RoomState[] }>;
export type SearchAck = Ack<{ messages: ChatMessage[] }>;
export type BlockAck = Ack<{ username: string; blocked: boolean }>;
export type ModerateAck = Ack<{ action: ModerationAction; room: string; until?: number | null }>;
export type CreateRoomAck = Ack<{ room: string; private: true }>;
export type RoomMemberAck = Ack<{ room: string; user: ChatUser }>;

/** What a client may emit. Acknowledgements are optional: a client that passes none gets none. */
export interface ClientToServerEvents {
  authenticate: (payload: AuthenticateRequest, ack?: (res: AuthenticateAck) => void) => void;
  message: (payload: SendMessageRequest, ack?: (res: MessageAck) => void) => void;
  join: (payload: RoomRequest, ack?: (res: RoomAck) => void) => void;
  leave: (payload: RoomRequest, ack?: (res: RoomAck) => void) => void;
  history: (payload: HistoryRequest, ack?: (res: HistoryAck) => void) => void;
  typing: (payload: TypingRequest) => void;
  edit: (payload: EditRequest, ack?: (res: EditAck) => void) => void;
  delete: (payload: DeleteRequest, ack?: (res: DeleteAck) => void) => void;
  read: (payload: ReadRequest, ack?: (res: ReadAck) => void) => void;
  rooms: (payload: Record<string, never>, ack?: (res: RoomsAck) => void) => void;
  search: (payload: SearchRequest, ack?: (res: SearchAck) => void) => void;
  block: (payload: BlockRequest, ack?: (res: BlockAck) => void) => void;
  unblock: (payload: BlockRequest, ack?: (res: BlockAck) => void) => void;
  moderate: (payload: ModerateRequest, ack?: (res: ModerateAck) => void) => void;
  create: (payload: CreateRoomRequest, ack?: (res: CreateRoomAck) => void) => void;
  invite: (payload: RoomMemberRequest, ack?: (res: RoomMemberAck) => void) => void;
  remove: (payload: RoomMemberRequest, ack?: (res: RoomMemberAck) => void) => void;
}

/**
 * What the server emits: each event with exactly one payload argument and nothing after it, so a
 * client whose handlers take one argument (python-socketio's) works.
 */
export interface ServerToClientEvents {
  connected: (event: ConnectedEvent) => void;
  auth_success: (event: AuthSuccessEvent) => void;
  auth_error: (event: AuthErrorEvent) => void;
  message: (message: ChatMessage) => void;
  presence: (event: PresenceEvent) => void;
  typing: (event: TypingEvent) => void;
  message_edited: (event: MessageEditedEvent) => void;
  message_deleted: (event: MessageDeletedEvent) => void;
  /** A message naming the user in a room none of their sockets is in. */
  mention: (message: ChatMessage) => void;
  read: (event: ReadEvent) => void;
  /** A member was kicked, muted, unmuted, banned or unbanned in a room the socket is in (or it was them). */
  moderation: (event: ModerationEvent) => void;
}

// --- Personal access tokens (docs/api.md, "Personal access tokens") ----------------------------

/**
 * What a personal access token may be granted. A token can never do what only a signed-in person
 * may (passwords, two factors, tokens, sessions, export, deletion), whatever its scopes.
 */
export const TOKEN_SCOPES = ['profile:read', 'chat:read', 'chat:write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

// --- Roles (docs/api.md, "Roles, administration, moderation") -----------------------------------

/** Every account has one role; `user` is the default, `admin` is made with `mux1 admin grant`. */
export const ROLES = ['user', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a value from outside (a request body, a command line, a database row) names a role. */
export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

/**
 * What a role may do beyond its own account and chat. Which role holds which is one table in
 * server/accounts/permissions.ts; docs/api.md prints it and a test holds the two equal.
 */
export const PERMISSIONS = [
  'chat:moderate',
  'users:read',
  'users:manage',
  'audit:read',
  'stats:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What a route or a Socket.IO event needs: nothing (`public`), a signed-in person with a session
 * (`session`: no token, whatever its scopes), a session or a token with that scope, or a role's
 * permission (a caller whose role lacks it gets 403 `forbidden`; a token may use it only where
 * the permission table names a scope for it).
 */
export type AccessRequirement = 'public' | 'session' | TokenScope | Permission;

export const TOKENS = {
  /** Every token starts so: secret scanners and the server tell it from a session token. */
  prefix: 'mux1_pat_',
  /** Base62 characters of randomness after the prefix (43 x log2(62) = 256 bits). */
  secretLength: 43,
  /** Base62 characters of CRC32 of prefix + secret, at the end. */
  checksumLength: 6,
  nameMax: 64,
  expiresDaysMin: 1,
  expiresDaysMax: 365,
  /** When `expires_in_days` is left out; `null` asks for a token that never expires. */
  expiresDaysDefault: 90,
  /** Live (not revoked, not expired) tokens one user may hold. */
  maxLive: 50,
} as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A personal access token's last TOKENS.checksumLength characters: CRC32 of everything before
 * them as a fixed-width base62 number (62^6 > 2^32). Here, with the token's shape, so the server
 * that makes tokens and the clients that check a pasted one compute it the same way.
 */
export function accessTokenChecksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < TOKENS.checksumLength; i++) {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** POST /api/tokens. */
export interface CreateTokenRequest {
  name: string;
  scopes: TokenScope[];
  /** 1 to 365; left out: 90; null: never expires. */
  expires_in_days?: number | null;
}

/** GET /api/tokens items: never the token itself. Times ISO 8601. */
export interface TokenInfo {
  id: string;
  name: string;
  scopes: TokenScope[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

/** 201 from POST /api/tokens: the only time the token is shown. */
export interface CreateTokenBody {
  id: string;
  name: string;
  token: string;
  scopes: TokenScope[];
  expires_at: string | null;
}

export interface TokensBody {
  tokens: TokenInfo[];
}

/** 403 `insufficient_scope`: `scope` is what the request needs (`session`: only a signed-in person). */
export interface InsufficientScopeBody extends ErrorBody {
  code: 'insufficient_scope';
  scope: 'session' | TokenScope;
}

/** GET /api/oidc/providers: the identity providers this server signs in with (OIDC_PROVIDERS). */
export interface ProvidersBody {
  providers: { id: string; name: string }[];
}

/** POST /api/oidc/:provider/start and POST /api/identities/:provider/link. */
export interface OidcStartBody {
  authorization_url: string;
}

/**
 * POST /api/oidc/complete: what the provider's answer led to. `login` and `mfa_required` carry
 * the bodies of a password login; `signup_required` asks for a username (POST /api/oidc/signup).
 */
export type OidcCompleteBody =
  | ({ outcome: 'login' } & LoginBody)
  | ({ outcome: 'mfa_required' } & MfaRequiredBody)
  | { outcome: 'signup_required'; message: string; provider: string; email: string }
  | { outcome: 'email_taken'; message: string; provider: string; email: string }
  | { outcome: 'no_verified_email'; message: string; provider: string }
  | { outcome: 'linked'; message: string; provider: string };

/** One provider account linked to yours (GET /api/identities). */
export interface IdentityInfo {
  id: number;
  provider: string;
  provider_name: string;
  email: string | null;
  created_at: string;
  last_used_at: string | null;
}

export interface IdentitiesBody {
  identities: IdentityInfo[];
}

// --- Device login (RFC 8628): a terminal signs in through a browser -------------------------------

export const DEVICE = {
  /**
   * The letters of a user code: 20 consonants, no vowels (no words spelt by chance) and none that
   * look alike (no 0/O, 1/I/L, 5/S... since there are no digits, no I, O, U or A at all).
   */
  userCodeAlphabet: 'BCDFGHJKLMNPQRSTVWXZ',
  /** Letters of a user code, shown as two groups of four: `WDJB-MJHT`. */
  userCodeLength: 8,
  /** How long a code waits for its approval. */
  expiresMinutes: 10,
  /** Seconds a client waits between polls at first; each `slow_down` adds slowDownSeconds. */
  intervalSeconds: 5,
  slowDownSeconds: 5,
  clientNameMax: 64,
  /** Codes asked for per client address per 10 minutes. */
  codesPer10Min: 30,
  /** Polls per client address per 10 minutes (one a second, for several terminals behind one address). */
  pollsPer10Min: 600,
  /** Wrong or unknown user codes typed per account per 10 minutes. */
  wrongCodesPer10Min: 20,
  /** The same per client address (several people may share one). */
  wrongCodesPerAddressPer10Min: 100,
} as const;

/** POST /api/device/code. */
export interface DeviceCodeRequest {
  /** What the terminal calls itself (shown to the approver and in the sessions list). */
  client_name?: string;
}

/** 200 from POST /api/device/code (RFC 8628 section 3.2). */
export interface DeviceCodeBody {
  /** The terminal's secret: polled with, never shown. */
  device_code: string;
  /** What the user types or confirms on the page: `XXXX-XXXX`. */
  user_code: string;
  /** The page's /device. */
  verification_uri: string;
  /** The same with the user code filled in (`/device?code=XXXX-XXXX`). */
  verification_uri_complete: string;
  /** Seconds. */
  expires_in: number;
  /** Seconds to wait between polls. */
  interval: number;
}

/** POST /api/device/token: 200 is LoginBody; 400 `slow_down` carries the new interval. */
export interface DeviceTokenRequest {
  device_code: string;
}

/** POST /api/device/lookup (session only): what the approver is shown before deciding. */
export interface DeviceLookupBody {
  user_code: string;
  client_name: string;
  /** The address the terminal asked from. */
  ip: string | null;
  user_agent: string | null;
  /** ISO 8601. */
  created_at: string;
  expires_at: string;
}

/** POST /api/device/approve (session only). */
export interface DeviceApproveRequest {
  user_code: string;
  approve: boolean;
}

/** Letters of a user code as typed (any case, spaces or dashes), or undefined if it cannot be one. */
export function normalizeUserCode(typed: string): string | undefined {
  const plain = typed.toUpperCase().replace(/[\s-]/g, '');
  if (plain.length !== DEVICE.userCodeLength) return undefined;
  for (const c of plain) if (!DEVICE.userCodeAlphabet.includes(c)) return undefined;
  return plain;
}

/** `WDJBMJHT` -> `WDJB-MJHT`. */
export const formatUserCode = (plain: string): string => `${plain.slice(0, 4)}-${plain.slice(4)}`;
// --- Administration (docs/api.md, "Administration") ---------------------------------------------

export const ADMIN = {
  usersPageDefault: 50,
  usersPageMax: 100,
  /** The longest search prefix: an email address is at most this long. */
  queryMax: 254,
  auditPageDefault: 50,
  auditPageMax: 200,
  statsDaysDefault: 30,
  statsDaysMax: 90,
} as const;

/** An account as an admin sees it. */
export interface AdminUser {
  id: number;
  username: string;
  email: string;
  role: Role;
  verified: boolean;
  disabled: boolean;
  deactivated: boolean;
  two_factor: boolean;
  /** ISO 8601. */
  created_at: string;
  last_login_at: string | null;
}

/** GET /api/admin/users. */
export interface AdminUsersBody {
  users: AdminUser[];
  /** `before` for the next, older page; null when this page is the last. */
  next_before: number | null;
}

/** GET /api/admin/users/:id. */
export interface AdminUserBody {
  user: AdminUser;
  sessions: {
    id: string;
    created_at: string;
    last_seen_at: string;
    expires_at: string;
    ip: string | null;
    user_agent: string | null;
  }[];
  tokens: TokenInfo[];
}

/** PATCH /api/admin/users/:id: at least one of the two. */
export interface AdminUserPatch {
  role?: Role;
  disabled?: boolean;
}

/** One event of GET /api/admin/audit. */
export interface AdminAuditEvent {
  id: number;
  type: string;
  at: string;
  user_id: number | null;
  username: string | null;
  actor_id: number | null;
  actor: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
}

export interface AdminAuditBody {
  events: AdminAuditEvent[];
  next_before: number | null;
}

/** One UTC day of GET /api/admin/stats. */
export interface StatsDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  signups: number;
  verifications: number;
  active_users: number;
  logins: number;
  failed_logins: number;
  messages: number;
}

export interface AdminStatsBody {
  /** Oldest first, today last. */
  days: StatsDay[];
  totals: {
    users: number;
    verified_users: number;
    disabled_users: number;
    admins: number;
    moderators: number;
    messages: number;
    live_sessions: number;
    connected_sockets: number;
  };
}

/** POST /api/account/deactivate. */
export interface DeactivateRequest {
  password: string;
}

// --- SSH keys (docs/api.md "SSH keys"; docs/security.md "SSH-key login") ----------------------------

export const SSH_KEYS = {
  /** The kinds of key accepted; others are refused with the reason. */
  types: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ssh-rsa'],
  rsaMinBits: 3072,
  /** Keys one user may register. */
  maxPerUser: 20,
  nameMax: 64,
  /** The longest public key line accepted (an 8192-bit RSA key with a comment fits). */
  publicKeyMax: 2_000,
  /** The longest armored signature accepted (an 8192-bit RSA signature fits). */
  signatureMax: 5_000,
  /** How long a login challenge may be signed and sent back; it works once. */
  challengeSeconds: 120,
  /** The SSHSIG namespace is this, `@`, and the host of the server's public URL (no port). */
  namespacePrefix: 'mux1-login',
} as const;

/** The SSHSIG namespace a login signature must carry for the server at `host` (no port). */
export const sshLoginNamespace = (host: string): string => `${SSH_KEYS.namespacePrefix}@${host}`;

/** POST /api/ssh-keys. */
export interface AddSshKeyRequest {
  /** One line of a .pub file: `ssh-ed25519 AAAA... comment`. */
  public_key: string;
  /** Left out: the key's comment, or its type. */
  name?: string;
}

/** 201 from POST /api/ssh-keys, and the items of GET /api/ssh-keys. Times ISO 8601. */
export interface SshKeyInfo {
  id: string;
  name: string;
  /** `SHA256:...`, exactly as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  type: string;
  bits: number;
  created_at: string;
  last_used_at: string | null;
}

/** GET /api/ssh-keys. */
export interface SshKeysBody {
  keys: SshKeyInfo[];
  /** Whether an SSH-key login stands in for both factors (POST /api/ssh-keys/policy). */
  both_factors: boolean;
}

/** POST /api/ssh-keys/policy: turning it on asks for the password (and the code under 2FA). */
export interface SshKeyPolicyRequest {
  both_factors: boolean;
  /** Needed to turn it on. */
  password?: string;
  /** Needed to turn it on when two-factor sign-in is on. */
  code?: string;
}

/** POST /api/login/ssh/challenge: the same shape for a name with no account. */
export interface SshChallengeBody {
  challenge_id: string;
  /** Sign its UTF-8 bytes: `ssh-keygen -Y sign -n mux1-login@HOST`. */
  nonce: string;
  /** ISO 8601. */
  expires_at: string;
}

/** POST /api/login/ssh. */
export interface SshLoginRequest {
  challenge_id: string;
  public_key: string;
  /** Armored SSHSIG (`-----BEGIN SSH SIGNATURE-----`). */
  signature: string;
}

// --- Passkeys (docs/api.md "Passkeys"; docs/security.md "Passkeys") --------------------------------

export const PASSKEYS = {
  /** Passkeys one user may register. */
  maxPerUser: 20,
  nameMax: 64,
  /** How long a registration or sign-in challenge may be answered; it works once. */
  challengeSeconds: 120,
  /** The longest base64url field of a credential accepted (attestation objects are the largest). */
  fieldMax: 8_000,
} as const;

/**
 * 200 from POST /api/passkeys/register/options and POST /api/login/passkey/options: `options` is
 * WebAuthn's PublicKeyCredentialCreationOptionsJSON (register) or ...RequestOptionsJSON (sign-in),
 * binary values in base64url; `challenge_id` goes back with the browser's answer.
 */
export interface PasskeyOptionsBody {
  challenge_id: string;
  options: Record<string, unknown>;
  /** ISO 8601. */
  expires_at: string;
}

/** A credential as the browser made it, binary values in base64url (WebAuthn's *ResponseJSON). */
export interface PasskeyCredentialJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: Record<string, unknown>;
  clientExtensionResults?: Record<string, unknown>;
  authenticatorAttachment?: string;
}

/** POST /api/passkeys/register. */
export interface RegisterPasskeyRequest {
  challenge_id: string;
  credential: PasskeyCredentialJSON;
  /** Left out: "Passkey". */
  name?: string;
}

/** 201 from POST /api/passkeys/register, 200 from PATCH, the items of GET /api/passkeys. */
export interface PasskeyInfo {
  id: string;
  name: string;
  /** 'multiDevice' (synced, may be backed up) or 'singleDevice' (bound to one authenticator). */
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  created_at: string;
  last_used_at: string | null;
}

/** GET /api/passkeys. */
export interface PasskeysBody {
  passkeys: PasskeyInfo[];
}

/** POST /api/login/passkey: answers the normal login body, never mfa_required. */
export interface PasskeyLoginRequest {
  challenge_id: string;
  credential: PasskeyCredentialJSON;
}
