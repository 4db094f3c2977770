import { seededRandom as uniform } from '../util/random.ts';

/**
 * Draws for dataset content: every word, number and padding byte of a dataset comes from the
 * project's seeded PRNG, so the same options and seed give byte-identical files.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  const next = uniform(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}

/** Derives an independent seed for one document, so documents don't shift when count grows. */
export function childSeed(seed: number, index: number, salt = 0): number {
  let h = (seed ^ 0x9e3779b9 ^ Math.imul(index + 1, 0x85ebca6b) ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Pseudo-random padding bytes (xorshift32, fast enough for 20 MB in ~0.1 s). Random rather
 * than zeros so that transport or storage compression cannot shrink a padded upload.
 */
export function paddingBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 0x2545f491;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes.writeUInt32LE(x >>> 0, i);
  }
  for (; i < length; i++) bytes[i] = (x >>> (8 * (i % 4))) & 0xff;
  return bytes;
}
