import SessionsList from './list.js';

/** `mux1 sessions` alone lists them, like `mux1 sessions list`. */
export default class Sessions extends SessionsList {}
