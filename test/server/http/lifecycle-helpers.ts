/**
 * The older import path of the account-action helpers, kept so suites written against it still
 * load; new suites import test/helpers/accounts.ts, or use useServer's `as(token)`.
 */
import { api, type TestServer } from '../../helpers/server.js';
import { bearer } from '../../helpers/accounts.js';

export { auditTypes, forgot, otherCode, reset, resetCode, userIdOf } from '../../helpers/accounts.js';

/** A REST call as the holder of `token`. */
export const as =
  (t: TestServer, token: string) =>
  (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    api(t.url, method, path, body, { ...bearer(token), ...headers });
