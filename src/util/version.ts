import { createRequire } from 'node:module';

/** ocrbench's version, from package.json (one source). */
export const TOOL_VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;
