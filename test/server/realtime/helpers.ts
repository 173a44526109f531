/**
 * The older import path of the socket helpers, kept so suites written against it still load;
 * new suites import test/helpers/sockets.ts (or use useServer's connect and chatPerson).
 */
import { logOut as logOutAt } from '../../helpers/accounts.js';
import type { TestServer } from '../../helpers/server.js';

export * from '../../helpers/sockets.js';

export const logOut = (t: TestServer, token: string) => logOutAt(t.url, token);
