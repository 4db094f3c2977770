import { generatorJudged, type GeneratorHealth } from '../record/run-file.ts';
import { DIAGNOSIS_THRESHOLDS as LIMITS } from './thresholds.ts';

/**
 * One rule for "was ocrbench itself the problem?", shared by the run's caveats
 * (src/run/caveats.ts) and the diagnosis (findings-generator.ts), so they never disagree:
 *
 * - `saturated`: ocrbench's own CPU reached `generatorCpuPercent` (or an older run marked
 *   itself so). It may be the bottleneck.
 * - `busy`: its event loop ran late, or it started jobs late, while its own CPU stayed
 *   below that: something else on the machine (the target on the same cores?) delayed it.
 *   Timings carry that delay, but ocrbench was not saturated.
 * - `ok`: neither.
 *
 * CPU and event-loop figures count only after the generator's start-up, and only when a
 * second or more followed it (`generatorJudged`); late jobs count from the first job.
 */
export type GeneratorState = 'saturated' | 'busy' | 'ok';

export interface GeneratorVerdict {
  state: GeneratorState;
  /** The measurements behind the state, each with its threshold. */
  reasons: string[];
}

export function generatorVerdict(
  health: GeneratorHealth,
  /** Measured jobs submitted in the trial, for the share started late. */
  submitted: number,
  /** An older run.json already carried the `generator-saturated` caveat. */
  markedSaturated = false,
): GeneratorVerdict {
  const judged = generatorJudged(health);
  const cpuHigh = judged && health.cpuPercent >= LIMITS.generatorCpuPercent;
  const loopLate = judged && health.eventLoopDelayP99Ms >= LIMITS.generatorEventLoopP99Ms;
  const behindShare = submitted > 0 ? health.behindScheduleJobs / submitted : 0;
  const late = behindShare >= LIMITS.generatorBehindShare;
  const cpu = `ocrbench CPU ${health.cpuPercent.toFixed(0)}%`;
  const reasons = [
    loopLate
      ? `event-loop delay p99 ${health.eventLoopDelayP99Ms.toFixed(0)} ms (>= ` +
        `${LIMITS.generatorEventLoopP99Ms} ms)`
      : null,
    cpuHigh ? `${cpu} (>= ${LIMITS.generatorCpuPercent}%)` : null,
    late
      ? `${health.behindScheduleJobs} jobs started late (>= ` +
        `${Math.round(LIMITS.generatorBehindShare * 100)}% of submitted)`
      : null,
    markedSaturated && !cpuHigh ? 'the run marked itself generator-saturated' : null,
  ].filter((reason): reason is string => reason !== null);
  if (cpuHigh || markedSaturated) return { state: 'saturated', reasons };
  if (!loopLate && !late) return { state: 'ok', reasons: [] };
  reasons.push(
    judged
      ? `${cpu} of one core (< ${LIMITS.generatorCpuPercent}%): ocrbench was not saturated`
      : 'ocrbench CPU not judged: under a second of the run followed its start-up',
  );
  return { state: 'busy', reasons };
}
