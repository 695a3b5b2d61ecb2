// Upper critical values of the chi-square distribution at p = 0.001 (a 0.999 quantile), by degrees
// of freedom, from standard tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4). A uniform
// hash fails a test at this level once in a thousand runs; the tests are deterministic anyway.
const CRITICAL_0_999: Record<number, number> = { 1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 6: 22.458, 9: 27.877 };

/** The 0.999 critical value for `degreesOfFreedom`. */
export function chiSquareCritical(degreesOfFreedom: number): number {
  const value = CRITICAL_0_999[degreesOfFreedom];
  if (value === undefined) throw new Error(`no tabulated critical value for ${degreesOfFreedom} degrees of freedom`);
  return value;
}

/** Pearson's statistic for observed counts against expected counts (cells with expectation 0 must observe 0). */
export function chiSquareStatistic(observed: readonly number[], expected: readonly number[]): number {
  let statistic = 0;
  observed.forEach((count, i) => {
    const expectation = expected[i]!;
    if (expectation === 0) {
      if (count !== 0) statistic = Number.POSITIVE_INFINITY;
      return;
    }
    statistic += (count - expectation) ** 2 / expectation;
  });
  return statistic;
}

/** Pearson's statistic of independence for a contingency table (rows × columns of counts). */
export function chiSquareIndependence(table: readonly (readonly number[])[]): number {
  const total = table.flat().reduce((a, b) => a + b, 0);
  const rowTotals = table.map((row) => row.reduce((a, b) => a + b, 0));
  const columnTotals = table[0]!.map((_, column) => table.reduce((sum, row) => sum + row[column]!, 0));
  let statistic = 0;
  table.forEach((row, r) =>
    row.forEach((count, c) => {
      const expectation = (rowTotals[r]! * columnTotals[c]!) / total;
      statistic += (count - expectation) ** 2 / expectation;
    }),
  );
  return statistic;
}
