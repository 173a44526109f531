/** The older import path of the CLI helpers, kept so suites written against it still load. */
export * from '../../helpers/cli.js';
