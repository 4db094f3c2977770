import { OcrbenchError } from '../util/errors.ts';
import {
  DOCUMENT_FORMATS,
  DOCUMENT_KINDS,
  DOCUMENT_LANGUAGES,
  GENERATE_DEFAULTS,
  type GenerateOptions,
} from './defaults.ts';
import { parseSizeClasses } from './sizes.ts';

/** Options as they may arrive from YAML or the CLI: lists may be comma-separated strings. */
export type GenerateInput = Partial<
  Omit<GenerateOptions, 'languages' | 'formats' | 'sizes'> & {
    languages: string[] | string;
    formats: string[] | string;
    sizes: string[] | string;
  }
>;

function usage(message: string): OcrbenchError {
  return new OcrbenchError('E_USAGE', message);
}

/**
 * How messages name an option: `options` as in YAML and code (`jpegQuality`), `flags` as
 * on the command line (`--jpeg-quality`). The CLI asks for `flags`, so a message names
 * what the user typed.
 */
export type OptionNaming = 'options' | 'flags';

/** The name of option `key` in messages: `jpegQuality` or `--jpeg-quality`. */
export function optionLabel(key: keyof GenerateOptions, naming: OptionNaming): string {
  if (naming === 'options') return key;
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function list(name: string, value: unknown): string[] {
  if (typeof value === 'string') return value.split(',').map((item) => item.trim());
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw usage(`${name}: expected a list or comma-separated string, got ${JSON.stringify(value)}.`);
}

function oneOf<T extends string>(name: string, items: string[], allowed: readonly T[]): T[] {
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw usage(`${name}: "${item}" is not supported. Use: ${allowed.join(', ')}.`);
    }
  }
  if (items.length === 0) throw usage(`${name}: name at least one of ${allowed.join(', ')}.`);
  return [...new Set(items)] as T[];
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw usage(`${name}: expected a whole number from ${min} to ${max}, got ${String(value)}.`);
  }
  return value;
}

/**
 * Fills defaults and checks every option; the message names the option (as `naming`
 * says) and the rule.
 */
export function resolveGenerateOptions(
  input: GenerateInput,
  naming: OptionNaming = 'options',
): GenerateOptions {
  const known = Object.keys(GENERATE_DEFAULTS) as Array<keyof GenerateOptions>;
  for (const key of Object.keys(input)) {
    if (!(known as string[]).includes(key)) {
      const names = known.map((name) => optionLabel(name, naming)).join(', ');
      throw usage(`unknown dataset option "${key}". Known options: ${names}.`);
    }
  }
  const name = (key: keyof GenerateOptions) => optionLabel(key, naming);
  const merged = { ...GENERATE_DEFAULTS, ...input };
  if (typeof merged.out !== 'string' || merged.out === '') {
    throw usage(`${name('out')}: name a folder.`);
  }
  const [kind] = oneOf(name('kind'), [String(merged.kind)], DOCUMENT_KINDS);
  const options: GenerateOptions = {
    out: merged.out,
    kind: kind ?? GENERATE_DEFAULTS.kind,
    languages: oneOf(
      name('languages'),
      list(name('languages'), merged.languages),
      DOCUMENT_LANGUAGES,
    ),
    formats: oneOf(name('formats'), list(name('formats'), merged.formats), DOCUMENT_FORMATS),
    dpi: integer(name('dpi'), merged.dpi, 50, 600),
    count: integer(name('count'), merged.count, 1, 10_000),
    seed: integer(name('seed'), merged.seed, 0, 2 ** 32 - 1),
    sizes: parseSizeClasses(list(name('sizes'), merged.sizes), name('sizes')).map(
      (sizeClass) => sizeClass.name,
    ),
    pdfPages: integer(name('pdfPages'), merged.pdfPages, 1, 50),
    fontSizePt: integer(name('fontSizePt'), merged.fontSizePt, 6, 48),
    jpegQuality: integer(name('jpegQuality'), merged.jpegQuality, 1, 100),
  };
  return options;
}
