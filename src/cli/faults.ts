import { FAULT_NAMES } from '../target/options.ts';
import { OcrbenchError } from '../util/errors.ts';

/** `--fault a,b`: checked against the built-in target's fault names. */
export function parseFaults(value: string): string[] {
  const faults = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const fault of faults) {
    if (!(FAULT_NAMES as readonly string[]).includes(fault)) {
      throw new OcrbenchError(
        'E_USAGE',
        `--fault: unknown fault "${fault}". Use one of: ${FAULT_NAMES.join(', ')}.`,
      );
    }
  }
  return faults;
}
