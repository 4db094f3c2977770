import type { CheckStatus, GateResult } from '../compare/gate.ts';
import { confidencePercent } from './validation-format.ts';

/** The gate's Markdown summary, appended to $GITHUB_STEP_SUMMARY and printed by `gate`. */
const MARK: Record<CheckStatus, string> = {
  pass: 'pass',
  fail: '**FAIL**',
  inconclusive: 'undecided',
  notMeasured: 'not measured',
};

const HEADLINES: Record<GateResult['exitCode'], string> = {
  0: 'passed',
  1: 'FAILED: the candidate regressed',
  2: 'could not judge: too few trials for the relative checks',
  3: 'could not judge: a run is incomplete',
};

/**
 * Exit 1 means "regressed" only when a threshold was broken; under `onInconclusive: fail`
 * it can also mean that checks were not shown to be within their limits, and the headline
 * must not call that a regression.
 */
export function gateHeadline(result: GateResult): string {
  if (result.exitCode !== 1) return HEADLINES[result.exitCode];
  const { regressed, undecided } = result.failedChecks;
  const unshown =
    `not shown to be within the limits (undecided or not measured: ${undecided.join(', ')}; ` +
    'onInconclusive: fail)';
  if (regressed.length === 0) return `FAILED: ${unshown}`;
  if (undecided.length === 0) return HEADLINES[1];
  return `${HEADLINES[1]}; also ${unshown}`;
}

export function gateMarkdown(result: GateResult): string {
  const { baseline, candidate } = result.comparison;
  const headline = gateHeadline(result);
  const undecided = new Set(result.failedChecks.undecided);
  const mark = (check: GateResult['checks'][number]) =>
    check.reason === 'tooFewTrials'
      ? 'not judged (too few trials)'
      : undecided.has(check.name)
        ? `**FAIL** (${MARK[check.status]}, onInconclusive: fail)`
        : MARK[check.status];
  const { settings } = result.comparison;
  const level = `${confidencePercent(settings.confidence)}%`;
  const out = [
    `### ocrbench gate ${headline}`,
    '',
    `Baseline \`${baseline.id}\` (${baseline.trials} trials) vs candidate ` +
      `\`${candidate.id}\` (${candidate.trials} trials), basis: ${result.comparison.basis}. ` +
      (result.comparison.basis === 'trials'
        ? `Intervals are two-sided ${level} bootstrap intervals over trials (1 - alpha ` +
          `${settings.alpha}); \`ocrbench compare\` shows 95% by default.`
        : 'No intervals: too few trials for trial-level statistics.'),
    '',
    `| Check | Rule | Observed | ${level} interval | Result |`,
    '|---|---|---|---|---|',
    ...result.checks.map(
      (check) =>
        `| ${check.name} | ${check.rule} | ${check.observed || '-'} | ` +
        `${intervalText(check)} | ${mark(check)} |`,
    ),
    '',
  ];
  for (const run of result.incompleteRuns) out.push(`- Incomplete run: ${run}`);
  if (result.tooFewTrials !== null) {
    const what = result.exitCode === 2 ? '**Too few trials (exit 2)**' : '**Not judged**';
    out.push(`- ${what}: ${result.tooFewTrials}`);
  }
  const notes = result.checks.filter((check) => check.status !== 'pass');
  for (const check of notes) out.push(`- ${check.name}: ${check.message}`);
  result.caveats.forEach((caveat, index) => out.push(`- Caveat ${index + 1}: ${caveat}`));
  return `${out.join('\n')}\n`;
}

/** "+30.1% .. +55.0% worse" (relative) or "+0.10 .. +0.35 points" (increase); "-" if none. */
function intervalText(check: GateResult['checks'][number]): string {
  if (!check.interval) return '-';
  const relative = check.name.startsWith('relative');
  const one = (value: number) =>
    relative
      ? `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`
      : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)}`;
  return `${one(check.interval.low)} .. ${one(check.interval.high)}${relative ? '' : ' points'}`;
}
