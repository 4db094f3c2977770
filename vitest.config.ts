import { defineConfig } from 'vitest/config';

/**
 * Test files that compare timings across runs or against a true value (a stall's p99, a
 * fault's effect, a gate on separate runs). Beside the OCR-heavy files they would measure
 * the other files' load, not the code: they run after them, one at a time.
 */
const TIMING_FILES = [
  'test/gate-builtin.test.ts',
  'test/open-load-stall.test.ts',
  'test/target-fault-effects.test.ts',
  'test/stage-times*.test.ts',
];

export default defineConfig({
  test: {
    // Real OCR and real servers: allow time per test, never as a performance limit.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2 cores: OCR tests compete for CPU, so keep files in few parallel workers.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: TIMING_FILES,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: TIMING_FILES,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
