/** The older import path of the Ink key helpers, kept so suites written against it still load. */
export * from '../../helpers/ink-keys.js';
