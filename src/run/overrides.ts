import type { Scenario } from '../scenario/schema.ts';
import type { Caveat } from '../record/run-file.ts';
import { OcrbenchError } from '../util/errors.ts';

/** What `ocrbench run` may change in a scenario from the command line. */
export interface ScenarioOverrides {
  /** Overrides the scenario's `trials`. */
  trials?: number;
  /** Overrides `load.durationSeconds`, s (a shortened run: smoke tests, quick looks). */
  durationSeconds?: number;
  /** Overrides `load.jobs`, measured jobs (warm-up jobs still run first). */
  jobs?: number;
  /** Overrides `target.url`. */
  targetUrl?: string;
  /** Overrides `target.builtin.faults`. */
  faults?: string[];
}

export interface WithOverrides {
  scenario: Scenario;
  /**
   * Run-level caveats saying the load differs from the scenario file: a run of 5 s is no
   * measurement of the 90 s the file describes, and run.json must say so. Trials alone do
   * not give one (each trial is still the scenario's; `ab` runs every trial with
   * `--trials 1`), but are named when the load length changed too.
   */
  caveats: Caveat[];
}

/** The command line's overrides, checked like the scenario fields they replace. */
export function applyOverrides(scenario: Scenario, options: ScenarioOverrides): WithOverrides {
  const copy = structuredClone(scenario);
  if (options.trials !== undefined) copy.trials = options.trials;
  if (options.durationSeconds !== undefined) copy.load.durationSeconds = options.durationSeconds;
  if (options.jobs !== undefined) copy.load.jobs = options.jobs;
  if (options.targetUrl !== undefined) {
    if (options.targetUrl !== 'builtin' && !isHttpUrl(options.targetUrl)) {
      throw new OcrbenchError(
        'E_USAGE',
        `--target-url ${options.targetUrl}: not an http(s) URL. Fix: write e.g. ` +
          'http://127.0.0.1:5000, or `builtin`.',
      );
    }
    copy.target.url = options.targetUrl;
  }
  if (options.faults !== undefined) {
    copy.target.builtin.faults = options.faults as Scenario['target']['builtin']['faults'];
  }
  const faults = copy.target.builtin.faults;
  if (copy.target.url !== 'builtin' && faults.length > 0) {
    // An external service cannot be told to misbehave: the run would silently be a plain one.
    const flag = options.faults !== undefined ? `--fault ${faults.join(',')}` : null;
    const from = options.targetUrl !== undefined ? '--target-url' : 'the scenario';
    throw new OcrbenchError(
      'E_USAGE',
      `${flag ?? `target.builtin.faults (${faults.join(', ')})`}: faults apply only to the ` +
        `built-in target, but this run's target is ${copy.target.url} (from ${from}). ` +
        `Fix: ${flag ? 'drop --fault' : 'pass --fault "" to switch them off'}, or run ` +
        'against the built-in target (target.url: builtin).',
    );
  }
  return { scenario: copy, caveats: lengthCaveats(scenario, copy, options) };
}

/** The `load-overridden` caveat when --duration-seconds or --jobs changed the load. */
function lengthCaveats(before: Scenario, after: Scenario, options: ScenarioOverrides): Caveat[] {
  if (options.durationSeconds === undefined && options.jobs === undefined) return [];
  const changes: string[] = [];
  // Shortened: no limit raised (an unset limit is unbounded, so setting it shortens).
  let longer = false;
  const note = (flag: string, field: string, from: number | undefined, to: number) => {
    changes.push(`${flag} ${to} (${field}: ${from ?? 'unset'})`);
    if (from !== undefined && to > from) longer = true;
  };
  if (options.durationSeconds !== undefined) {
    note(
      '--duration-seconds',
      'load.durationSeconds',
      before.load.durationSeconds,
      options.durationSeconds,
    );
  }
  if (options.jobs !== undefined) note('--jobs', 'load.jobs', before.load.jobs, options.jobs);
  if (options.trials !== undefined) note('--trials', 'trials', before.trials, after.trials);
  const how = longer ? 'changed' : 'shortened';
  return [
    {
      code: 'load-overridden',
      message:
        `The load was ${how} on the command line: ${changes.join(', ')}. These numbers ` +
        'describe that run, not the scenario file as written; compare them only with runs ' +
        'given the same flags.',
    },
  ];
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
