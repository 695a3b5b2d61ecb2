/**
 * A p-value as people read it: three significant digits, scientific below 0.001, and "< 1e-300"
 * for one that underflowed to 0 (overwhelming evidence prints as 0.00 otherwise, which reads as certainty).
 */
export const formatPValue = (p: number): string => (p === 0 ? '< 1e-300' : p < 0.001 ? p.toExponential(2) : p.toPrecision(3));

/** `p = 0.0123`, `p = 1.23e-5`, `p < 1e-300`. */
export const pEquals = (p: number, label = 'p'): string => (p === 0 ? `${label} < 1e-300` : `${label} = ${formatPValue(p)}`);
