import KeysList from './list.js';

/** `mux1 keys` alone lists them, like `mux1 keys list`. */
export default class Keys extends KeysList {}
