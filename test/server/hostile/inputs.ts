/** The older import path of the hostile inputs, kept so suites written against it still load. */
export * from '../../helpers/hostile-inputs.js';
