import { debuglog } from 'node:util';

/** Library diagnostics, enabled with NODE_DEBUG=ocrbench. User-facing progress goes to stderr. */
export const debug = debuglog('ocrbench');
