import { createRequire } from 'node:module';
import type jStatModule from 'jstat';

/**
 * Upper-tail probabilities computed from the tail itself. `1 − cdf` cancels to nothing below about
 * 1e-9 (p = 1.0665424e-10 where scipy says 1.0665409e-10), and jstat's erfc loses precision past
 * z ≈ 6.5, so small p-values come from the regularised incomplete gamma and beta functions here.
 */

let loaded: typeof jStatModule | undefined;
const jStat = (): typeof jStatModule => (loaded ??= createRequire(import.meta.url)('jstat') as typeof jStatModule);

const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 10_000;

/**
 * Q(a, x) = Γ(a, x) / Γ(a), the regularised upper incomplete gamma function: the series for P when
 * x < a + 1 (Q is not small there, so 1 − P keeps its precision), Lentz's continued fraction for Q
 * itself otherwise (Numerical Recipes §6.2).
 */
export const upperRegularizedGamma = (a: number, x: number): number => {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  const logPrefix = -x + a * Math.log(x) - jStat().gammaln(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPSILON; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.min(1, Math.max(0, 1 - sum * Math.exp(logPrefix)));
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefix) * h));
};

/** P(|Z| ≥ |z|) for a standard normal Z: erfc(|z|/√2) = Q(½, z²/2). */
export const normalTwoSided = (z: number): number => (Number.isNaN(z) ? Number.NaN : upperRegularizedGamma(0.5, (z * z) / 2));

/** P(Z ≥ z) for a standard normal Z. */
export const normalUpper = (z: number): number => (z >= 0 ? normalTwoSided(z) / 2 : 1 - normalTwoSided(z) / 2);

/** Lentz's continued fraction for the incomplete beta function (Numerical Recipes §6.4). */
const betaFraction = (a: number, b: number, x: number): number => {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
};

/**
 * I_x(a, b), the regularised incomplete beta function, given x and y = 1 − x separately so that
 * neither loses digits to the subtraction. (jstat's own stops its fraction at 3e-7.)
 */
export const regularizedBeta = (x: number, y: number, a: number, b: number): number => {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const logFront = jStat().gammaln(a + b) - jStat().gammaln(a) - jStat().gammaln(b) + a * Math.log(x) + b * Math.log(y);
  return x < (a + 1) / (a + b + 2) ? (Math.exp(logFront) * betaFraction(a, b, x)) / a : 1 - (Math.exp(logFront) * betaFraction(b, a, y)) / b;
};

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, ½). */
export const studentTTwoSided = (t: number, df: number): number => {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  return Math.min(1, Math.max(0, regularizedBeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5)));
};

/** P(X ≥ x) for a chi-square X with `df` degrees of freedom: Q(df/2, x/2). */
export const chiSquareUpper = (x: number, df: number): number => (x <= 0 ? 1 : upperRegularizedGamma(df / 2, x / 2));

/** Student t's density at t with `df` degrees of freedom. */
const studentTDensity = (t: number, df: number): number =>
  Math.exp(jStat().gammaln((df + 1) / 2) - jStat().gammaln(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df));

/**
 * The t with P(T ≤ t) = p. jstat's inverse is good to about 1e-8, which an interval bound near zero
 * (difference − half-width) magnifies past 1e-6; Newton steps on the tail above polish it.
 */
export const studentTQuantile = (p: number, df: number): number => {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (df > 1e6) {
    // jstat's inverse drifts by 1e-7 up there; the Cornish–Fisher series is exact to double precision.
    const z = jStat().normal.inv(p, 0, 1);
    const z2 = z * z;
    return z + (z * (z2 + 1)) / (4 * df) + (z * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * df * df);
  }
  const target = 1 - p;
  let t = jStat().studentt.inv(p, df);
  for (let step = 0; step < 3 && t > 0; step++) {
    const density = studentTDensity(t, df);
    if (!(density > 0)) break;
    t += (studentTTwoSided(t, df) / 2 - target) / density;
  }
  return t;
};

/**
 * The power of the two-sided equal-n Student t-test: P(|T'| > c) for a noncentral t T' with `df`
 * degrees of freedom and noncentrality `lambda`, c the test's critical value (what statsmodels'
 * TTestIndPower computes with scipy's nct). T' = (Z + λ)/W with W² = χ²_df / df, so the power is
 * E[Φ(λ − cW) + Φ(−λ − cW)], integrated over x = ln(χ²_df / df). There the density is proportional
 * to exp(−(df/2)(eˣ − 1 − x)), smooth and fast-decaying at both ends, so the trapezoidal rule
 * converges geometrically, and normalising by the same sum leaves no Γ function to cancel. jstat's
 * nct series underflows past df ≈ 1e9 and takes up to 40 ms a call at small df.
 */
export const studentTPower = (lambda: number, criticalValue: number, df: number): number => {
  const half = df / 2;
  const spread = Math.sqrt(2 / df);
  // Below the mode the log-density falls like (df/2)·|x|, above it like (df/2)·eˣ.
  const lower = -Math.max(16 * spread, 80 / df);
  const upper = Math.max(16 * spread, 1.2 * Math.log1p(80 / df));
  const steps = 1024;
  const h = (upper - lower) / steps;
  const upperTail = (z: number) => 0.5 * jStat().erfc(z / Math.SQRT2);
  let mass = 0;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = lower + i * h;
    const weight = Math.exp(-half * (Math.expm1(x) - x)) * (i === 0 || i === steps ? 0.5 : 1);
    if (weight === 0) continue;
    const w = Math.exp(x / 2);
    mass += weight;
    sum += weight * (upperTail(criticalValue * w - lambda) + upperTail(criticalValue * w + lambda));
  }
  return Math.min(1, sum / mass);
};
