/**
 * Wire types of the external contract (PROTOCOL.md): REST bodies, error codes and the
 * Socket.IO event maps. The only server file that clients import, so it holds types and
 * constants only - nothing that pulls the server in.
 */

export interface ErrorBody {
  error: string;
  code: ErrorCode | string;
  /** The request field the error concerns, when there is one. */
  field?: string;
}

export type ErrorCode =
  | 'invalid_field'
  | 'weak_password'
  | 'username_taken'
  | 'invalid_code'
  | 'invalid_credentials'
  | 'email_not_verified'
  | 'too_many_attempts'
  | 'rate_limited'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'service_unavailable'
  | 'internal_error';

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
  user: PublicUser & { created_at: string };
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
