import type { RunFile } from '../record/run-file.ts';
import {
  bootstrapInterval,
  estimate as estimateOf,
  weightedMean,
  type Interval,
} from './bootstrap.ts';
import { comparisonCaveats } from './compare-caveats.ts';
import type { Basis, Comparison, MetricComparison, RunDescription } from './comparison.ts';
import { COMPARE_DEFAULTS, type CompareSettings } from './defaults.ts';
import { holmAdjust } from './holm.ts';
import { jobLevel } from './job-level.ts';
import { METRICS, trialValues, trialWeights, type MetricDefinition } from './metrics.ts';
import { seededRandom, type Random } from '../util/random.ts';
import { trialTest } from './trial-test.ts';
import { conclude, judge, type Criteria } from './verdict.ts';

/** A run read from disk, with how the user named it. */
export interface LoadedRun {
  run: RunFile;
  /** A folder, a run.json path, or `baseline:<name>`. */
  source: string;
  /** Folder holding run.json (and jobs.ndjson). */
  dir: string;
}

export interface CompareOptions extends Partial<CompareSettings> {
  /** Pinned in golden tests; defaults to the current time. */
  now?: Date;
  /** Tool version written to comparison.json; defaults to the candidate run's. */
  toolVersion?: string;
  /** Only these metric ids (the gate benchmark uses this to save time). */
  metricIds?: string[];
}

/**
 * Compares two runs metric by metric. Steps:
 * 1. pick the basis: trials when both sides have enough, else the job-level fallback;
 * 2. per metric: estimate, bootstrap interval, p-value (Welch on logs or rank test,
 *    src/compare/trial-test.ts);
 * 3. Holm-adjust the p-values within each family; 4. verdicts (the rule shared with the
 * gate, src/compare/verdict.ts); 5. caveats; 6. conclusion.
 */
export function compareRuns(
  baseline: LoadedRun,
  candidate: LoadedRun,
  options: CompareOptions = {},
): Comparison {
  const { now, toolVersion, metricIds, ...overrides } = options;
  const settings: CompareSettings = { ...COMPARE_DEFAULTS, ...overrides };
  const confidence = 1 - settings.alpha;
  const random = seededRandom(settings.seed);
  const enough =
    baseline.run.trials.length >= settings.minTrials &&
    candidate.run.trials.length >= settings.minTrials;
  const basis: Basis = enough || !settings.jobLevelFallback ? 'trials' : 'jobs';
  const definitions = METRICS.filter((metric) => !metricIds || metricIds.includes(metric.id));

  // 2. Per metric, before any correction.
  const metrics = definitions.map((metric) =>
    basis === 'trials'
      ? trialMetric(metric, baseline.run, candidate.run, enough, settings, confidence, random)
      : jobMetric(metric, baseline.run, candidate.run, settings, confidence, random),
  );

  // 3-4. Holm within each family, then verdicts.
  // Point-judged metrics (CER) get no verdict from a test, so they are not in the families.
  const tested = metrics.filter((_, index) => definitions[index].pointJudged !== true);
  for (const family of ['primary', 'secondary'] as const) {
    const members = tested.filter((metric) => metric.family === family);
    const adjusted = holmAdjust(members.map((metric) => metric.pValue));
    members.forEach((metric, index) => {
      metric.adjustedPValue = adjusted[index];
    });
  }
  definitions.forEach((definition, index) => {
    const metric = metrics[index];
    const { verdict, reason } = judge(
      {
        kind: definition.kind,
        better: definition.better,
        estimate: metric.estimate,
        interval: basis === 'trials' ? metric.interval : null,
        baselineTrials: metric.baseline.trialValues,
        candidateTrials: metric.candidate.trialValues,
        enoughTrials: enough,
        significant:
          basis === 'trials' && metric.adjustedPValue !== null
            ? metric.adjustedPValue < settings.alpha && excludesNoChange(metric)
            : null,
        pointJudged: definition.pointJudged === true,
        decisiveAllowed: metric.test !== 'welchLogT',
      },
      criteriaOf(definition, settings),
    );
    metric.verdict = verdict;
    metric.verdictReason = reason;
  });

  // 5-6.
  const caveats = comparisonCaveats(baseline.run, candidate.run, metrics, basis, settings);
  return {
    schemaVersion: 1,
    tool: { name: 'ocrbench', version: toolVersion ?? candidate.run.tool.version },
    createdAt: (now ?? new Date()).toISOString(),
    settings: { ...settings, confidence },
    baseline: describeRun(baseline),
    candidate: describeRun(candidate),
    basis,
    metrics,
    caveats,
    conclusion: conclude(metrics),
  };
}

/** The verdict criteria of a metric under these settings (compare's no-change band). */
export function criteriaOf(metric: MetricDefinition, settings: CompareSettings): Criteria {
  return {
    band: metric.kind === 'ratio' ? settings.ratioEquivalence : settings.differenceEquivalence,
    decisiveRatio: settings.decisiveRatio,
    decisiveDifference: settings.decisiveDifference,
  };
}

function excludesNoChange(metric: MetricComparison): boolean {
  const none = metric.kind === 'ratio' ? 1 : 0;
  return metric.interval !== null && (metric.interval.low > none || metric.interval.high < none);
}

function blank(metric: MetricDefinition, basis: Basis): MetricComparison {
  return {
    id: metric.id,
    label: metric.label,
    unit: metric.unit,
    kind: metric.kind,
    better: metric.better,
    family: metric.family,
    basis,
    baseline: { value: null, trialValues: [] },
    candidate: { value: null, trialValues: [] },
    estimate: null,
    interval: null,
    test: null,
    pValue: null,
    adjustedPValue: null,
    verdict: 'inconclusive',
    verdictReason: 'notMeasured',
    footnotes: [],
  };
}

function trialMetric(
  metric: MetricDefinition,
  baseline: RunFile,
  candidate: RunFile,
  enough: boolean,
  settings: CompareSettings,
  confidence: number,
  random: Random,
): MetricComparison {
  const result = blank(metric, 'trials');
  const b = trialValues(metric, baseline.trials);
  const c = trialValues(metric, candidate.trials);
  if (!b || !c || b.length === 0 || c.length === 0) return result;
  // CER pools each side's trials by reference characters: total edits / total characters.
  const weights = {
    baseline: trialWeights(metric, baseline.trials),
    candidate: trialWeights(metric, candidate.trials),
  };
  result.baseline = { value: weightedMean(b, weights.baseline), trialValues: b };
  result.candidate = { value: weightedMean(c, weights.candidate), trialValues: c };
  const point = estimateOf(metric.kind, b, c, weights);
  result.estimate = Number.isFinite(point) ? point : null;
  if (!enough) return result;
  result.interval = bootstrapInterval(metric.kind, b, c, {
    resamples: settings.resamples,
    confidence,
    random,
    weights,
  });
  const tested = trialTest(metric.kind, b, c, 'twoSided', settings.rankTestMinTrials);
  result.test = tested.test;
  result.pValue = tested.pValue;
  return result;
}

function jobMetric(
  metric: MetricDefinition,
  baseline: RunFile,
  candidate: RunFile,
  settings: CompareSettings,
  confidence: number,
  random: Random,
): MetricComparison {
  const result = blank(metric, 'jobs');
  const found = jobLevel(metric, baseline, candidate, {
    resamples: settings.resamples,
    confidence,
    random,
  });
  const trialsOf = (run: RunFile) => trialValues(metric, run.trials) ?? [];
  result.baseline = { value: found.baseline, trialValues: trialsOf(baseline) };
  result.candidate = { value: found.candidate, trialValues: trialsOf(candidate) };
  result.estimate =
    found.estimate !== null && Number.isFinite(found.estimate) ? found.estimate : null;
  result.interval = found.interval as Interval | null;
  result.test = found.test;
  result.pValue = found.pValue;
  return result;
}

function describeRun(loaded: LoadedRun): RunDescription {
  const { run } = loaded;
  const faults = run.target.builtin?.faults;
  return {
    id: run.id,
    source: loaded.source,
    scenario: run.scenario,
    target: {
      url: run.target.url,
      profile: run.target.profile,
      faults: Array.isArray(faults) ? faults.map(String) : [],
    },
    host: run.host,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    trials: run.trials.length,
    complete: run.complete,
    stopReason: run.stopReason,
  };
}
