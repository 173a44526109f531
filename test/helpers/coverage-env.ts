/**
 * NODE_V8_COVERAGE, when the run collects coverage (`npm run coverage`), for a child process that
 * is given a clean environment: the built `mux1 server` then writes its coverage too. Empty otherwise.
 */
export const coverageEnv = (): Record<string, string> =>
  process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {};
