import type { RunFile, TrialResult } from '../record/run-file.ts';
import type { Finding } from './diagnosis-types.ts';
import { generatorVerdict } from './generator-verdict.ts';

/**
 * Whether ocrbench itself limited the trial, by the rule the run's caveats use
 * (generator-verdict.ts): `generator-saturated` when its own CPU was high, else
 * `generator-delayed` when the machine around it was busy. Never both.
 */
export function generatorFinding(run: RunFile, trial: TrialResult): Finding | null {
  const marked = [...run.caveats, ...trial.caveats].some(
    (caveat) => caveat.code === 'generator-saturated',
  );
  const verdict = generatorVerdict(trial.generator, trial.jobs.submitted, marked);
  if (verdict.state === 'ok') return null;
  if (verdict.state === 'saturated') {
    return {
      code: 'generator-saturated',
      severity: 'warning',
      title: 'The load generator was itself saturated',
      evidence: verdict.reasons,
      suggestion:
        'Latency may include ocrbench waiting on itself: lower the rate, or run ocrbench on ' +
        'another machine than the target, then rerun before trusting these findings.',
    };
  }
  return {
    code: 'generator-delayed',
    severity: 'warning',
    title: 'The machine running ocrbench was busy: its timings carry extra delay',
    evidence: verdict.reasons,
    suggestion:
      'ocrbench was not the bottleneck, but other work on its machine (the target on the ' +
      'same cores?) delayed it: latencies include up to its event-loop delay. Run ocrbench ' +
      'and the target on separate cores or machines for exact timings.',
  };
}
