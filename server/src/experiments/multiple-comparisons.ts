/**
 * Holm's step-down adjustment (Holm, 1979): controls the chance of any false positive among m
 * tests (family-wise error) at α, like Bonferroni, but rejects more. Valid for any dependence
 * between the tests, and for always-valid p-values too. Returns adjusted p-values in input order:
 * a test is significant at α exactly when its adjusted p-value is below α.
 */
export const holmAdjust = (pValues: readonly number[]): number[] => {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
};

export const MULTIPLE_COMPARISON_METHOD = 'holm' as const;
