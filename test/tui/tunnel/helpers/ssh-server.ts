/** The older import path of the SSH server helper, kept so suites written against it still load. */
export * from '../../../helpers/ssh-server.js';
