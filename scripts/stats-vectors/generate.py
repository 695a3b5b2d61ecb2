#!/usr/bin/env python3
"""Reference figures for the experiment statistics, from scipy and statsmodels.

    /usr/bin/python3 scripts/stats-vectors/generate.py   # Debian: python3-scipy python3-statsmodels

Writes server/src/experiments/testdata/scipy-vectors.json, which
server/src/experiments/scipy-vectors.spec.ts checks to 1e-6 relative. The inputs are generated
from a fixed seed and include the edges: rates of 0 and 1, p-values far below 1e-9, huge degrees
of freedom, tiny and large samples.
"""
import json
import math
import os
import random

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest
from statsmodels.stats.proportion import power_proportions_2indep

random.seed(20261204)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'server', 'src', 'experiments', 'testdata', 'scipy-vectors.json')


def rate_pairs():
    """(control successes, control n, treatment successes, treatment n), edges first."""
    pairs = [(49, 50, 50, 50), (50, 50, 50, 50), (0, 50, 0, 50), (0, 40, 3, 40), (1, 1000, 9, 1000), (189, 11034, 104, 11037),
             (5000, 10000, 5300, 10000), (2, 3, 3, 3), (120, 20000, 30, 20000), (999, 1000, 1000, 1000), (20000, 20000, 20000, 20000)]
    for _ in range(40):
        n1, n2 = random.randint(2, 200000), random.randint(2, 200000)
        p1 = random.choice([random.random(), random.random() * 0.02, 1 - random.random() * 0.02])
        p2 = min(1, max(0, p1 + random.uniform(-0.05, 0.05)))
        pairs.append((int(round(p1 * n1)), n1, int(round(p2 * n2)), n2))
    return pairs


def vectors():
    out = {'generator': f'scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}'}

    zs = [0.0, 0.3, 1.0, 1.96, 2.5, 4.0, 5.5, 6.45, 6.5, 7.0, 7.5, 8.2, 9.5, 12.0, 20.0, 30.0, 37.0]
    out['normalTwoSided'] = [{'z': z, 'p': float(2 * stats.norm.sf(z))} for z in zs]
    out['studentTTwoSided'] = [{'t': t, 'df': df, 'p': float(2 * stats.t.sf(t, df))}
                               for t in [0.3, 1.5, 2.5, 4.0, 6.2, 9.0, 15.0, 40.0] for df in [1.0, 2.5, 13.3, 120.0, 5000.0, 2e5, 4e7]]
    out['chiSquareUpper'] = [{'x': x, 'df': df, 'p': float(stats.chi2.sf(x, df))}
                             for x in [0.01, 0.5, 3.84, 10.0, 25.0, 60.0, 120.0, 400.0, 1400.0] for df in [1, 2, 3, 5, 9]]

    wilson = []
    for x, n in [(49, 50), (50, 50), (0, 50), (1, 2), (0, 2), (2, 2), (189, 11034), (5000, 10000), (3, 1000000), (999999, 1000000)]:
        for alpha in [0.05, 0.01, 0.025]:
            lo, hi = proportion_confint(x, n, alpha=alpha, method='wilson')
            wilson.append({'successes': x, 'n': n, 'alpha': alpha, 'lower': float(lo), 'upper': float(hi)})
    out['wilson'] = wilson

    rates = []
    for c1, n1, c2, n2 in rate_pairs():
        alpha = random.choice([0.05, 0.01, 0.025])
        # Newcombe's hybrid score interval for treatment − control.
        lo, hi = confint_proportions_2indep(c2, n2, c1, n1, method='newcomb', compare='diff', alpha=alpha)
        row = {'control': [c1, n1], 'treatment': [c2, n2], 'alpha': alpha, 'difference': c2 / n2 - c1 / n1,
               'lower': float(lo), 'upper': float(hi)}
        if 0 < c1 + c2 < n1 + n2:
            z, p = proportions_ztest([c2, c1], [n2, n1])  # pooled two-proportion z-test
            row['z'], row['p'] = float(z), float(p)
        rates.append(row)
    out['rates'] = rates

    means = []
    for _ in range(30):
        n1, n2 = random.randint(2, 100000), random.randint(2, 100000)
        m1 = random.uniform(-100, 1000)
        sd1, sd2 = random.uniform(0.1, 50), random.uniform(0.1, 50)
        m2 = m1 + random.choice([random.uniform(-1, 1), random.uniform(-20, 20)]) * max(sd1, sd2) / np.sqrt(min(n1, n2)) * 3
        alpha = random.choice([0.05, 0.01])
        t, p = stats.ttest_ind_from_stats(m2, sd2, n2, m1, sd1, n1, equal_var=False)
        v1, v2 = sd1 ** 2 / n1, sd2 ** 2 / n2
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
        half = stats.t.ppf(1 - alpha / 2, df) * np.sqrt(v1 + v2)
        means.append({'control': [n1, m1, sd1], 'treatment': [n2, m2, sd2], 'alpha': alpha, 't': float(t), 'p': float(p), 'df': float(df),
                      'lower': float(m2 - m1 - half), 'upper': float(m2 - m1 + half)})
    out['means'] = means

    # Sample sizes for rates: the power statsmodels gives the pooled z-test at the computed n.
    sizes = []
    for p1, diff, alpha, power in [(0.1, 0.02, 0.05, 0.8), (0.2, 0.05, 0.05, 0.8), (0.5, 0.1, 0.05, 0.9), (0.03, 0.01, 0.01, 0.8),
                                   (0.9, 0.05, 0.05, 0.8), (0.97, 0.02, 0.05, 0.8), (0.001, 0.002, 0.05, 0.8), (0.5, 0.3, 0.05, 0.8),
                                   (0.3, 0.25, 0.05, 0.95), (0.05, 0.005, 0.05, 0.8)]:
        sizes.append({'baselineRate': p1, 'mde': diff, 'alpha': alpha, 'power': power})
    out['rateSampleSizes'] = sizes

    srm = []
    for observed, shares in [([5500, 4500], [0.5, 0.5]), ([5020, 4980], [0.5, 0.5]), ([1000, 2000, 3100], [1, 2, 3]), ([50, 950], [0.1, 0.9]),
                             ([100000, 101800], [0.5, 0.5]), ([30000, 10000], [0.5, 0.5])]:
        total = sum(observed)
        expected = [s / sum(shares) * total for s in shares]
        chi, p = stats.chisquare(observed, expected)
        srm.append({'observed': observed, 'shares': shares, 'chiSquare': float(chi), 'p': float(p)})
    out['sampleRatio'] = srm
    out['ratios'] = ratio_vectors()
    out['cuped'] = cuped_vectors()
    out['holm'] = holm_vectors()
    return out


def sums(y, x):
    """The six sums the SDK sends for pairs (y, x), exactly rounded."""
    return {'n': len(y), 'sumY': math.fsum(y), 'sumYY': math.fsum(y * y), 'sumX': math.fsum(x), 'sumXX': math.fsum(x * x), 'sumXY': math.fsum(x * y)}


def delta_variance(y, x):
    """Var(Σy/Σx) by the delta method from the raw pairs: numpy's sample covariance matrix."""
    n = len(y)
    r = y.sum() / x.sum()
    cov = np.cov(np.vstack([y, x]), ddof=1)
    return (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * x.mean() ** 2)


def ratio_vectors():
    """Ratio metrics (errors per row, tp/(tp+fp)): per-unit pairs, compared by the delta method."""
    rng = np.random.default_rng(20261204)
    rows = []
    for i in range(24):
        n1, n2 = int(rng.integers(5, 5000)), int(rng.integers(5, 5000))
        scale = float(rng.choice([1.0, 100.0, 1e4]))
        rate = float(rng.uniform(0.001, 0.5))
        lift = float(rng.choice([0.0, rng.uniform(-0.3, 0.3)]))
        x1 = rng.poisson(scale, n1).astype(float) + 1
        x2 = rng.poisson(scale, n2).astype(float) + 1
        y1 = rng.binomial(x1.astype(int), rate).astype(float)
        y2 = rng.binomial(x2.astype(int), min(1, rate * (1 + lift))).astype(float)
        alpha = float(rng.choice([0.05, 0.01]))
        r1, r2 = y1.sum() / x1.sum(), y2.sum() / x2.sum()
        v1, v2 = delta_variance(y1, x1), delta_variance(y2, x2)
        se = np.sqrt(v1 + v2)
        z = (r2 - r1) / se
        crit = stats.norm.ppf(1 - alpha / 2)
        rows.append({'control': sums(y1, x1), 'treatment': sums(y2, x2), 'alpha': alpha,
                     'controlRatio': float(r1), 'treatmentRatio': float(r2), 'controlVariance': float(v1), 'treatmentVariance': float(v2),
                     'z': float(z), 'p': float(2 * stats.norm.sf(abs(z))), 'lower': float(r2 - r1 - crit * se), 'upper': float(r2 - r1 + crit * se),
                     'controlLower': float(r1 - crit * np.sqrt(v1)), 'controlUpper': float(r1 + crit * np.sqrt(v1))})
    return rows


def cuped_vectors():
    """CUPED: θ and the adjusted difference from statsmodels' OLS y ~ arm + x; the test is scipy's Welch t on y − θx."""
    import statsmodels.api as sm
    rng = np.random.default_rng(20261205)
    rows = []
    for i in range(16):
        n1, n2 = int(rng.integers(10, 4000)), int(rng.integers(10, 4000))
        rho = float(rng.uniform(0, 0.95))
        effect = float(rng.choice([0.0, rng.uniform(0.01, 0.3)]))
        base = float(rng.uniform(-50, 500))
        sd = float(rng.uniform(0.5, 40))
        x1, x2 = rng.normal(base, sd, n1), rng.normal(base, sd, n2)
        noise = sd * np.sqrt(1 - rho ** 2)
        y1 = base + rho * (x1 - base) + rng.normal(0, noise, n1)
        y2 = base + effect * sd + rho * (x2 - base) + rng.normal(0, noise, n2)
        if i % 5 == 4:  # a 0/1 metric with a 0/1 covariate (converted last month)
            x1, x2 = (rng.random(n1) < 0.3).astype(float), (rng.random(n2) < 0.3).astype(float)
            y1 = ((rng.random(n1) < 0.1 + 0.5 * x1)).astype(float)
            y2 = ((rng.random(n2) < 0.1 + effect / 3 + 0.5 * x2)).astype(float)
        alpha = float(rng.choice([0.05, 0.01]))
        arm = np.concatenate([np.zeros(n1), np.ones(n2)])
        xs, ys = np.concatenate([x1, x2]), np.concatenate([y1, y2])
        fit = sm.OLS(ys, sm.add_constant(np.column_stack([arm, xs]))).fit()
        theta, diff = float(fit.params[2]), float(fit.params[1])
        a1, a2 = y1 - theta * x1, y2 - theta * x2
        t, p = stats.ttest_ind(a2, a1, equal_var=False)
        v1, v2 = a1.var(ddof=1) / n1, a2.var(ddof=1) / n2
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
        half = stats.t.ppf(1 - alpha / 2, df) * np.sqrt(v1 + v2)
        unadjusted = y1.var(ddof=1) / n1 + y2.var(ddof=1) / n2
        rows.append({'control': sums(y1, x1), 'treatment': sums(y2, x2), 'alpha': alpha, 'theta': theta, 'difference': diff,
                     't': float(t), 'p': float(p), 'df': float(df), 'lower': float(diff - half), 'upper': float(diff + half),
                     'varianceReduction': float(1 - (v1 + v2) / unadjusted),
                     # What the adjustment leaves of a unit's spread: OLS residuals over n − 1 per arm.
                     'residualSd': float(np.sqrt(fit.ssr / (n1 + n2 - 2)))})
    return rows


def holm_vectors():
    """Holm's step-down adjusted p-values from statsmodels' multipletests."""
    from statsmodels.stats.multitest import multipletests
    rng = np.random.default_rng(20261206)
    rows = [[0.01, 0.04, 0.03, 0.005], [0.5, 0.5, 0.5], [1e-12, 0.2, 0.049, 0.0125, 0.9], [0.02]]
    for _ in range(8):
        m = int(rng.integers(2, 40))
        rows.append([float(v) for v in np.where(rng.random(m) < 0.3, rng.random(m) * 1e-4, rng.random(m))])
    return [{'p': ps, 'adjusted': [float(v) for v in multipletests(ps, method='holm')[1]]} for ps in rows]


def power_at(row, n):
    """statsmodels' power of the pooled two-sided z-test with n per arm."""
    p1, diff = row['baselineRate'], row['mde']
    p2 = p1 + diff if p1 + diff <= 1 else p1 - diff
    return float(power_proportions_2indep(p2 - p1, p1, n, ratio=1, alpha=row['alpha'], alternative='two-sided', return_results=False))


if __name__ == '__main__':
    data = vectors()
    # The sample size itself is ours; what scipy/statsmodels give is the power at any n, so store a
    # table of powers around the formula's n for the spec to check the computed n against.
    for row in data['rateSampleSizes']:
        p1, diff = row['baselineRate'], row['mde']
        p2 = p1 + diff if p1 + diff <= 1 else p1 - diff
        za, zb = stats.norm.ppf(1 - row['alpha'] / 2), stats.norm.ppf(row['power'])
        pbar = (p1 + p2) / 2
        approx = int(np.ceil((za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / diff ** 2))
        row['powers'] = {str(n): power_at(row, n) for n in range(max(2, approx - 3), approx + 4)}
    with open(OUT, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.normpath(OUT)}')
