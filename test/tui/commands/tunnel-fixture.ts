/** The older import path of the CLI tunnel fixture, kept so suites written against it still load. */
export * from '../../helpers/cli-tunnel.js';
