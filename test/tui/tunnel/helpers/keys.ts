/** The older import path of the SSH key helpers, kept so suites written against it still load. */
export * from '../../../helpers/ssh-keys.js';
