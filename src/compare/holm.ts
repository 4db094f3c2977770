/**
 * Holm-Bonferroni step-down adjustment: controls the chance of any false verdict in a
 * family of m tests at alpha, under any dependence between the tests (our metrics are
 * strongly correlated: p95 and p99 of the same stage move together). Returns adjusted
 * p-values in input order; compare each with alpha. Nulls pass through untouched.
 */
export function holmAdjust(pValues: ReadonlyArray<number | null>): Array<number | null> {
  const tested = pValues
    .map((p, index) => ({ p, index }))
    .filter((entry): entry is { p: number; index: number } => entry.p !== null)
    .sort((a, b) => a.p - b.p);
  const adjusted: Array<number | null> = pValues.map(() => null);
  const m = tested.length;
  let running = 0;
  tested.forEach((entry, rank) => {
    // Step-down: the i-th smallest p is multiplied by (m - i); monotone by construction.
    running = Math.max(running, Math.min(1, (m - rank) * entry.p));
    adjusted[entry.index] = running;
  });
  return adjusted;
}
