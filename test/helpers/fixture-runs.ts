import type { LoadedRun } from '../../src/compare/compare-runs.ts';
import { makeRun } from './make-run.ts';

/** The pinned pair behind the golden files: 5 trials each, candidate 20% slower. */
export const PINNED_NOW = new Date('2025-01-16T09:00:00.000Z');

export function goldenPair(): { baseline: LoadedRun; candidate: LoadedRun } {
  const baseline = makeRun({
    id: '2025-01-15-baseline',
    seed: 101,
    trials: 5,
    jobsPerTrial: 200,
    caveats: [{ code: 'poll-resolution', message: 'Polls every 250 ms; queue wait is +/-125 ms.' }],
  });
  const candidate = makeRun({
    id: '2025-01-15-reload-model',
    seed: 202,
    trials: 5,
    jobsPerTrial: 200,
    latencyFactor: 1.2,
    failedPerTrial: 2,
    cer: 0.034,
    faults: ['reload-model'],
    startedAt: '2025-01-15T12:00:00.000Z',
  });
  return {
    baseline: { run: baseline, source: 'reports/2025-01-15-baseline', dir: '.' },
    candidate: { run: candidate, source: 'reports/2025-01-15-reload-model', dir: '.' },
  };
}
