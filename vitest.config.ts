import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real OCR and real servers: allow time per test, never as a performance limit.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2 cores: OCR tests compete for CPU, so keep files in few parallel workers.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
