import type {
  LoginBody,
  LoginRequest,
  MeBody,
  MessageBody,
  SessionInfo,
  SignupRequest,
  VerifyEmailRequest,
} from '../../server/protocol.js';
import type { ChatConnection } from './chat-client.js';

export type { SessionInfo };

/**
 * What the TUI needs from the outside world. The `tui` command builds it from the same REST
 * client, credential store and socket client the other commands use; tests build it against
 * a real server. Failures are thrown as `{error, code, field?}` (the contract's error body).
 */
export interface TuiRest {
  signup(input: SignupRequest): Promise<MessageBody>;
  verifyEmail(input: VerifyEmailRequest): Promise<MessageBody>;
  resendVerification(email: string): Promise<MessageBody>;
  login(input: LoginRequest): Promise<LoginBody>;
  me(token: string): Promise<MeBody>;
  logout(token: string): Promise<void>;
  listSessions(token: string): Promise<SessionInfo[]>;
  revokeSession(token: string, id: string): Promise<void>;
  revokeOtherSessions(token: string): Promise<void>;
  changePassword(token: string, current: string, next: string): Promise<MessageBody>;
}

export interface TuiServices {
  serverUrl: string;
  rest: TuiRest;
  /** Keeps the session in the credential file the other commands use. */
  saveSession(login: LoginBody): Promise<void>;
  forgetSession(): Promise<void>;
  /** Opens a live chat connection signed in with the token. */
  connectChat(token: string): ChatConnection;
}

export interface ApiFailure {
  error: string;
  code: string;
  field?: string;
}

/** Whatever was thrown, as the contract's error shape, so screens can show it inline. */
export function asFailure(err: unknown): ApiFailure {
  if (typeof err === 'object' && err !== null && typeof (err as ApiFailure).error === 'string') {
    const e = err as ApiFailure;
    return { error: e.error, code: String(e.code ?? 'error'), field: e.field };
  }
  return { error: err instanceof Error ? err.message : String(err), code: 'error' };
}
