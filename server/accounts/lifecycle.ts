import type { AccountsDeps, RequestMeta } from './context.js';
import type { Authenticated } from './sessions.js';
import { forgotPassword, resetPassword, type ResetInput } from './password-reset.js';
import { changePassword, type ChangeInput } from './password-change.js';
import { listSessions, revokeOtherSessions, revokeSession } from './session-management.js';
import { listActivity } from './activity.js';
import { exportAccount } from './export.js';
import { deleteAccount } from './deletion.js';

export type { ResetInput, ChangeInput };
export type { ActivityPage } from './activity.js';
export type { AccountData } from './export.js';

/** The account-lifecycle rules (PROTOCOL.md, "Account lifecycle") bound to their dependencies. */
export function createLifecycle(deps: AccountsDeps) {
  return {
    forgotPassword: (email: string, meta: RequestMeta) => forgotPassword(deps, email, meta),
    resetPassword: (input: ResetInput, meta: RequestMeta) => resetPassword(deps, input, meta),
    changePassword: (auth: Authenticated, input: ChangeInput, meta: RequestMeta) =>
      changePassword(deps, auth, input, meta),
    listSessions: (auth: Authenticated) => listSessions(deps, auth),
    revokeSession: (auth: Authenticated, sessionId: string, meta: RequestMeta) =>
      revokeSession(deps, auth, sessionId, meta),
    revokeOtherSessions: (auth: Authenticated, meta: RequestMeta) => revokeOtherSessions(deps, auth, meta),
    listActivity: (auth: Authenticated, page: { before?: number; limit: number }) =>
      listActivity(deps, auth, page),
    exportAccount: (auth: Authenticated, meta: RequestMeta) => exportAccount(deps, auth, meta),
    deleteAccount: (auth: Authenticated, password: string, meta: RequestMeta) =>
      deleteAccount(deps, auth, password, meta),
  };
}
