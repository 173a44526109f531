import { takeCoverage } from 'node:v8';

/**
 * Mocha root hooks (loaded by `.mocharc.json`'s `require`). Under c8, a process writes its coverage
 * when it exits; but `mocha --parallel` ends its worker processes by asking them to exit and
 * killing any that take over a second, and a killed worker writes nothing. On a busy machine that
 * lost every worker's coverage (the in-process tests of test:parallel counted for nothing). Writing
 * it after each file instead (in parallel mode a root after-all hook runs once per file) keeps what
 * each file ran, whatever happens to the worker later. Without NODE_V8_COVERAGE this does nothing.
 */
export const mochaHooks = {
  afterAll(): void {
    if (process.env.NODE_V8_COVERAGE) takeCoverage();
  },
};
