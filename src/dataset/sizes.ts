import { OcrbenchError } from '../util/errors.ts';

/** A size class of generated files: a name and an exact byte target (null = unpadded). */
export interface SizeClass {
  name: string;
  bytes: number | null;
}

export const NATURAL = 'natural';

/** Decimal units (KB = 1000 bytes) as storage and network tools count; KiB/MiB for 1024. */
const UNITS: Record<string, number> = {
  B: 1,
  KB: 1000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

/**
 * Parses `50KB`, `1.5MB`, `200KiB`, `123456` (bytes) or `natural`. `option` names the
 * option in messages (`sizes` in YAML, `--sizes` on the CLI).
 */
export function parseSizeClass(text: string, option = 'sizes'): SizeClass {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === NATURAL) return { name: NATURAL, bytes: null };
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(trimmed);
  const unit = UNITS[(match?.[2] || 'B').toUpperCase()];
  if (!match || unit === undefined) {
    throw new OcrbenchError(
      'E_USAGE',
      `${option}: "${text}" is not a size class. Use a number with KB, MB (1000-based), ` +
        'KiB, MiB (1024-based) or B, e.g. 50KB,500KB,5MB,20MB, or "natural".',
    );
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes < 1) {
    throw new OcrbenchError('E_USAGE', `${option}: "${text}" is less than one byte.`);
  }
  return { name: trimmed.replace(/\s+/g, ''), bytes };
}

/**
 * Parses a list given as an array or a comma-separated string; duplicates are refused.
 * `option` names the option in messages.
 */
export function parseSizeClasses(sizes: string[] | string, option = 'sizes'): SizeClass[] {
  const list = typeof sizes === 'string' ? sizes.split(',') : sizes;
  const classes = list.filter((s) => s.trim() !== '').map((s) => parseSizeClass(s, option));
  const names = new Set<string>();
  for (const sizeClass of classes) {
    if (names.has(sizeClass.name)) {
      throw new OcrbenchError('E_USAGE', `${option}: "${sizeClass.name}" is listed twice.`);
    }
    names.add(sizeClass.name);
  }
  if (classes.length === 0) {
    throw new OcrbenchError('E_USAGE', `${option}: name at least one size class, e.g. natural.`);
  }
  return classes;
}

/**
 * Size class of an imported file, from its bytes (decimal units): `small` < 100 KB <=
 * `medium` < 1 MB <= `large` < 10 MB <= `huge`.
 */
export function importedSizeClass(bytes: number): string {
  if (bytes < 100_000) return 'small';
  if (bytes < 1_000_000) return 'medium';
  if (bytes < 10_000_000) return 'large';
  return 'huge';
}
