import type { ServerConfig } from '../../config/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Limits } from '../limits/index.js';
import type { TemplateContext } from '../mail/templates.js';
import type { Metrics } from '../metrics/registry.js';
import type { ServerKey } from '../secret-key.js';
import type { Db } from '../store/db.js';
import { countUsers as countStoredUsers } from '../store/users.js';
import type { PasswordHasher } from './passwords.js';
import { resendVerification, signup, verifyEmail } from './signup.js';
import { setMailLanguage } from './mail-language.js';
import { login } from './login.js';
import {
  authenticateToken,
  cachedAuthentication,
  checkSession,
  listSessions,
  logout,
  revokeOtherSessions,
  revokeSession,
} from './sessions.js';
import { changePassword, forgotPassword, resetPassword } from './password-lifecycle.js';
import { deleteAccount, exportAccount, listActivity } from './account.js';
import {
  disableTwoFactor,
  enableTwoFactor,
  regenerateBackupCodes,
  setupTwoFactor,
  twoFactorStatus,
} from './two-factor.js';
import { loginSecondStep } from './two-factor-login.js';
import { createToken, listTokens, revokeToken } from './tokens.js';
import {
  completeIdentityFlow,
  finishIdentityFlow,
  listIdentities,
  listProviders,
  signupWithIdentity,
  startIdentityFlow,
  unlinkIdentity,
} from './identities.js';
import { decideDeviceLogin, lookupDeviceLogin, pollDeviceLogin, startDeviceLogin } from './device.js';
import {
  adminDeleteUser,
  adminForcePasswordReset,
  adminListUsers,
  adminUpdateUser,
  adminUserDetails,
} from './administration.js';
import { deactivateAccount } from './deactivation.js';
import { adminListAudit, adminStats } from './admin-reports.js';
import { addSshKey, listSshKeys, removeSshKey, setSshKeyPolicy } from './ssh-keys.js';
import { createSshChallenge, loginWithSshKey } from './ssh-login.js';
import {
  listPasskeys,
  passkeyRegistrationOptions,
  registerPasskey,
  removePasskey,
  renamePasskey,
} from './passkeys.js';
import { loginWithPasskey, passkeyLoginOptions } from './passkey-login.js';

export type { SignupInput } from './signup.js';
export type { Authenticated, SessionsPage } from './sessions.js';
export { SESSIONS_CURSOR } from './sessions.js';
export type { ChangeInput, ResetInput } from './password-lifecycle.js';
export type { AccountData, ActivityPage } from './account.js';
export type { SecondStepRequired } from './two-factor-login.js';
export type { LoginResult } from './login.js';
export type { NewTokenInput, TokenGrant } from './tokens.js';
export type { CompletedFlow } from './identities.js';
export type { UsersPage, UserChange, UserDetails } from './administration.js';
export { callerOf, checkAccess, hasAccess, type Caller, type Grant } from './access.js';
export { PERMISSION_TOKEN_SCOPE, ROLE_PERMISSIONS, roleAllows } from './permissions.js';
export type { DeviceGrant, DeviceLookup } from './device.js';
export { PasswordHasher, kdfSlots } from './passwords.js';

/** What the accounts rules need, handed in by createServer (nothing is imported as state). */
export interface AccountsDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  config: ServerConfig;
  hasher: PasswordHasher;
  mail: TemplateContext;
  /** Called after a transaction that queued mail has committed. */
  mailQueued: () => void;
  /**
   * Called after sessions ended (logout, a session revoked, the others signed out, a password
   * change), once that is committed: the live side closes their sockets at once.
   */
  sessionsEnded: (sessionIds: string[]) => void;
  /** Called after every session of a user ended (password reset, account deleted). */
  userSessionsEnded: (userId: number) => void;
  /** Per-address and per-email abuse limits and the proof-of-work challenge. */
  limits: Limits;
  /** Counters for logins, lockouts and signups. */
  metrics: Metrics;
  /** SECRET_KEY: seals two-factor secrets, keys the hashes of codes. */
  key: ServerKey;
}

/** Where a request came from, for the audit log and the sessions list. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** A solved proof-of-work challenge sent along, for the rules that may ask for one. */
  challenge?: string | null;
}

/**
 * Every rule both doors (REST, Socket.IO) may call. Each is a plain function of its
 * dependencies and its input, so rules call each other directly and a test reads one without
 * building anything; createAccounts gives each its dependencies once. A new rule is one line here.
 */
const RULES = {
  signup,
  verifyEmail,
  resendVerification,
  setMailLanguage,
  login,
  authenticateToken,
  cachedAuthentication,
  checkSession,
  logout,
  listSessions,
  revokeSession,
  revokeOtherSessions,
  forgotPassword,
  resetPassword,
  changePassword,
  listActivity,
  exportAccount,
  deleteAccount,
  setupTwoFactor,
  enableTwoFactor,
  disableTwoFactor,
  regenerateBackupCodes,
  twoFactorStatus,
  loginSecondStep,
  createToken,
  listTokens,
  revokeToken,
  listProviders,
  startIdentityFlow,
  finishIdentityFlow,
  completeIdentityFlow,
  signupWithIdentity,
  listIdentities,
  unlinkIdentity,
  startDeviceLogin,
  pollDeviceLogin,
  lookupDeviceLogin,
  decideDeviceLogin,
  adminListUsers,
  adminUserDetails,
  adminUpdateUser,
  adminDeleteUser,
  adminForcePasswordReset,
  deactivateAccount,
  adminListAudit,
  adminStats,
  addSshKey,
  listSshKeys,
  removeSshKey,
  setSshKeyPolicy,
  createSshChallenge,
  loginWithSshKey,
  passkeyRegistrationOptions,
  registerPasskey,
  listPasskeys,
  renamePasskey,
  removePasskey,
  passkeyLoginOptions,
  loginWithPasskey,
  countUsers: (deps: AccountsDeps) => countStoredUsers(deps.db),
};

type Rules = typeof RULES;

/** The rules with their dependencies given: `accounts.login(input, meta)`. */
export type Accounts = {
  [K in keyof Rules]: Rules[K] extends (deps: AccountsDeps, ...args: infer A) => infer R
    ? (...args: A) => R
    : never;
};

export function createAccounts(deps: AccountsDeps): Accounts {
  const bound: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(RULES) as [string, (...args: unknown[]) => unknown][]) {
    bound[name] = (...args: unknown[]) => rule(deps, ...args);
  }
  return bound as Accounts;
}
