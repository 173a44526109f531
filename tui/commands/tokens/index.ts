import TokensList from './list.js';

/** `mux1 tokens` alone lists them, like `mux1 tokens list`. */
export default class Tokens extends TokensList {}
