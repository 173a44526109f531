/**
 * Loaded by mocha before any test file (.mocharc.json `require`): the tests read English texts, so
 * the code under test and every process it starts speak English whatever the machine's LANG says.
 * A test of another language sets MUX1_LANG for the process it starts.
 */
process.env.MUX1_LANG = 'en';
