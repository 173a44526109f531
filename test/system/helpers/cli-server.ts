/** The older import path of the CLI server helper, kept so suites written against it still load. */
export * from '../../helpers/cli-server.js';
export { repoRoot } from '../../helpers/cli.js';
