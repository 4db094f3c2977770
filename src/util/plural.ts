/**
 * "1 job", "2 jobs", "0 jobs": a count with its noun in the right number. `many` defaults to
 * the noun + "s"; `shown` replaces the digits, e.g. "29,812" for 29812.
 */
export function plural(
  count: number,
  one: string,
  many: string = `${one}s`,
  shown: string = String(count),
): string {
  return `${shown} ${count === 1 ? one : many}`;
}
