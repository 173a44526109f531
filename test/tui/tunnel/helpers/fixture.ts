/** The older import path of the tunnel fixture, kept so suites written against it still load. */
export * from '../../../helpers/tunnel.js';
