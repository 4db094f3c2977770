import { hideBin } from 'yargs/helpers';
import { OcrbenchError } from '../util/errors.ts';

/** What a numeric flag accepts. Bounds are inclusive unless named `above`/`below`. */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Exclusive upper bound. */
  below?: number;
  /** Appended to the message, e.g. 'e.g. --trials 5'. */
  hint?: string;
}

/**
 * Checks numeric flags after yargs parsed them. yargs turns `--trials abc` into NaN and
 * accepts 0, -1 and 1.5 for any number, so each command names its rules here; a broken rule
 * is a usage error (exit 2) that quotes the flag as typed. Flags not given are skipped.
 */
export function checkNumberFlags(
  args: Record<string, unknown>,
  rules: Record<string, NumberRule>,
  argv: string[] = hideBin(process.argv),
): void {
  for (const [flag, rule] of Object.entries(rules)) {
    const value = args[flag];
    if (value === undefined) continue;
    const typed = typedValue(flag, argv) ?? String(value);
    const expected = describeRule(rule);
    const problem = Array.isArray(value)
      ? 'given more than once'
      : typeof value !== 'number' || !Number.isFinite(value)
        ? 'not a number'
        : rule.integer && !Number.isInteger(value)
          ? 'not a whole number'
          : !withinRule(value, rule)
            ? 'out of range'
            : null;
    if (problem === null) continue;
    throw new OcrbenchError(
      'E_USAGE',
      `--${flag} ${typed}: ${problem}; expected ${expected}` +
        `${rule.hint ? ` (${rule.hint})` : ''}.`,
    );
  }
}

function withinRule(value: number, rule: NumberRule): boolean {
  return (
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.below === undefined || value < rule.below)
  );
}

/** "a whole number >= 1", "a number > 0 and < 0.5", "a whole number from 0 to 65535". */
export function describeRule(rule: NumberRule): string {
  const noun = rule.integer ? 'a whole number' : 'a number';
  if (rule.min !== undefined && rule.max !== undefined) {
    return `${noun} from ${rule.min} to ${rule.max}`;
  }
  const bounds = [
    rule.min !== undefined ? `>= ${rule.min}` : null,
    rule.above !== undefined ? `> ${rule.above}` : null,
    rule.max !== undefined ? `<= ${rule.max}` : null,
    rule.below !== undefined ? `< ${rule.below}` : null,
  ].filter(Boolean);
  return bounds.length > 0 ? `${noun} ${bounds.join(' and ')}` : noun;
}

/** The flag's value as the user typed it (`--trials abc` or `--trials=abc`), if found. */
function typedValue(flag: string, argv: string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (token === `--${flag}` && i + 1 < argv.length) found = argv[i + 1];
    else if (token.startsWith(`--${flag}=`)) found = token.slice(flag.length + 3);
  }
  return found;
}
