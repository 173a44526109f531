import type { AccountsDeps, RequestMeta } from './context.js';
import { signup, type SignupInput } from './signup.js';
import { resendVerification, verifyEmail } from './verification.js';
import { login } from './login.js';
import { authenticateToken, cachedAuthentication, logout, type Authenticated } from './sessions.js';
import { countUsers } from '../store/users.js';
import { createLifecycle } from './lifecycle.js';

export type { AccountsDeps, RequestMeta, Authenticated, SignupInput };
export { PasswordHasher } from './passwords.js';
export type { AccountData, ActivityPage, ChangeInput, ResetInput } from './lifecycle.js';

/** The account rules bound to their dependencies: the one API both doors (REST, Socket.IO) call. */
export function createAccounts(deps: AccountsDeps) {
  return {
    signup: (input: SignupInput, meta: RequestMeta) => signup(deps, input, meta),
    verifyEmail: (input: { email: string; code: string }, meta: RequestMeta) =>
      verifyEmail(deps, input, meta),
    resendVerification: (email: string, meta: RequestMeta) => resendVerification(deps, email, meta),
    login: (input: { username: string; password: string }, meta: RequestMeta) => login(deps, input, meta),
    authenticateToken: (token: string) => authenticateToken(deps, token),
    cachedAuthentication: (token: string) => cachedAuthentication(deps, token),
    logout: (auth: Authenticated, meta: RequestMeta) => logout(deps, auth, meta),
    countUsers: () => countUsers(deps.db),
    ...createLifecycle(deps),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
