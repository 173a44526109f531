/** The older import path of the server-process helpers, kept so suites written against it still load. */
export * from '../../helpers/server-process.js';
