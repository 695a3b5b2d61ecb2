#!/usr/bin/env python3
"""Reference figures for the experiment statistics, from scipy and statsmodels.

    /usr/bin/python3 scripts/stats-vectors/generate.py   # Debian: python3-scipy python3-statsmodels

Writes server/src/experiments/testdata/scipy-vectors.json, which
server/src/experiments/scipy-vectors.spec.ts checks to 1e-6 relative. The inputs are generated
from a fixed seed and include the edges: rates of 0 and 1, p-values far below 1e-9, huge degrees
of freedom, tiny and large samples.

Where scipy and statsmodels have no function for a figure, it is computed here from its
definition rather than from the server's formula: relative differences by the delta method as a
gradient through the estimates' covariance matrix (numpy), the mSPRT's mixture likelihood ratio by
scipy.integrate.quad and its confidence sequence by scipy.optimize.brentq. Per-arm figures,
comparisons and whole analyses start from raw values, of which only the sums the SDK would send are
stored.
"""
import json
import math
import os
import random

import numpy as np
import scipy
import statsmodels
from scipy import integrate, optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import power_proportions_2indep, proportion_effectsize

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
            values = np.concatenate([np.ones(x), np.zeros(n - x)])
            wilson.append({'successes': x, 'n': n, 'alpha': alpha, 'lower': float(lo), 'upper': float(hi),
                           'value': float(values.mean()), 'stdDev': float(values.std(ddof=1))})
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
            p1, p2 = c1 / n1, c2 / n2
            # Unpooled (Wald) variances of each rate: what the relative interval and the mSPRT use.
            v1, v2 = p1 * (1 - p1) / n1, p2 * (1 - p2) / n2
            crit = stats.norm.ppf(1 - alpha / 2)
            row.update(relative_figures(p1, v1, p2, v2, crit))
            row['effectSize'] = float(proportion_effectsize(p2, p1))  # Cohen's h
            row['tau'] = [0.01, 0.002, 0.05][len(rates) % 3]
            row['sequential'] = msprt(p2 - p1, v1 + v2, row['tau'], alpha, within=(-1, 1))
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
    out['meanSampleSizes'] = mean_sample_size_vectors()
    out['meanArms'] = mean_arm_vectors()
    out['meanComparisons'] = mean_comparison_vectors()
    out['sequential'] = sequential_vectors()
    out['analyses'] = analysis_vectors()
    out['segments'] = segment_vectors()
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
                     'controlLower': float(r1 - crit * np.sqrt(v1)), 'controlUpper': float(r1 + crit * np.sqrt(v1)),
                     **ratio_extra(y1, x1, y2, x2, v1, v2, crit, alpha, [0.01, 0.002, 0.05][i % 3])})
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
                     'residualSd': float(np.sqrt(fit.ssr / (n1 + n2 - 2))),
                     **cuped_extra(fit, y1, x1, y2, x2, theta, v1, v2, stats.t.ppf(1 - alpha / 2, df), alpha, [1.0, 0.1, 5.0][i % 3])})
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


def relative_figures(c, var_c, t, var_t, crit):
    """(t − c) / c with its delta-method interval: the gradient of t/c − 1 through the covariance of two independent estimates."""
    if c == 0:
        return {'relative': None, 'relativeLower': None, 'relativeUpper': None}
    grad = np.array([-t / c ** 2, 1 / c])
    se = float(np.sqrt(grad @ np.diag([var_c, var_t]) @ grad))
    rel = t / c - 1
    return {'relative': float(rel), 'relativeLower': float(rel - crit * se), 'relativeUpper': float(rel + crit * se)}


def msprt_log_lr(diff, variance, tau):
    """log Λ, the mixture likelihood ratio ∫ N(diff; θ, V) / N(diff; 0, V) dN(θ; 0, τ²), by scipy.integrate.quad.

    The integrand is one bump between 0 and diff: its top is found numerically, and exp(log f − top)
    is integrated over ±40 widths around it (the width from the curvature 1/V + 1/τ²), so neither a
    huge Λ (p far below float's range) nor a tiny variance overflows or misses the bump.
    """
    log_norm = -math.log(tau * math.sqrt(2 * math.pi))

    def log_f(theta):
        return (diff * theta - theta * theta / 2) / variance - theta * theta / (2 * tau * tau) + log_norm
    width = 1 / math.sqrt(1 / variance + 1 / (tau * tau))
    peak = 0.0
    if diff != 0:
        peak = float(optimize.minimize_scalar(lambda th: -log_f(th), bounds=(min(0.0, diff), max(0.0, diff)), method='bounded',
                                              options={'xatol': width * 1e-6}).x)
    top = log_f(peak)
    integral, _ = integrate.quad(lambda th: math.exp(log_f(th) - top), peak - 40 * width, peak + 40 * width, points=[peak],
                                 epsabs=0, epsrel=1e-12, limit=500)
    return top + math.log(integral)


def msprt(diff, variance, tau, alpha, within=None):
    """Always-valid p-value min(1, 1/Λ) and the confidence sequence {θ₀ : Λ(diff − θ₀) < 1/α}, its ends by scipy.optimize.brentq,
    intersected with `within` (the values the difference can take: [−1, 1] for rates)."""
    if not variance > 0:
        return None
    p = min(1.0, math.exp(-msprt_log_lr(diff, variance, tau)))
    bound = math.log(1 / alpha)

    def half(sign):
        # θ₀ = diff ∓ h leaves an observed difference of ±h against θ₀.
        g = lambda h: msprt_log_lr(sign * h, variance, tau) - bound  # noqa: E731
        hi = math.sqrt(variance)
        while g(hi) <= 0:
            hi *= 2
        return optimize.brentq(g, 0.0, hi, xtol=1e-300, rtol=1e-15, maxiter=500)
    lower, upper = diff - half(1), diff + half(-1)
    if within is not None:
        lower, upper = max(within[0], lower), min(within[1], upper)
    return {'p': p, 'lower': lower, 'upper': upper, 'significant': p <= alpha}


def arm(values):
    """The aggregates the SDK sends for one metric of one variant, exactly rounded."""
    return {'n': len(values), 'sum': math.fsum(values), 'sumSquares': math.fsum(values * values)}


def ratio_extra(y1, x1, y2, x2, v1, v2, crit, alpha, tau):
    """Ratio metrics: relative difference and interval, one unit's linearised spread, Cohen's d on it, the mSPRT."""
    r1, r2 = y1.sum() / x1.sum(), y2.sum() / x2.sum()
    # Linearised per-unit values (y − R·x) / x̄: their sample variance over n is the delta-method Var(R).
    u1, u2 = (y1 - r1 * x1) / x1.mean(), (y2 - r2 * x2) / x2.mean()
    s1, s2 = u1.std(ddof=1), u2.std(ddof=1)
    n1, n2 = len(u1), len(u2)
    pooled = np.sqrt(((n1 - 1) * s1 ** 2 + (n2 - 1) * s2 ** 2) / (n1 + n2 - 2))
    return {**relative_figures(r1, v1, r2, v2, crit), 'controlStdDev': float(s1), 'effectSize': float((r2 - r1) / pooled), 'tau': tau,
            'sequential': msprt(float(r2 - r1), float(v1 + v2), tau, alpha)}


def cuped_extra(fit, y1, x1, y2, x2, theta, v1, v2, crit, alpha, tau):
    """CUPED: adjusted means from the OLS fit at the overall covariate mean, the relative difference and its delta-method interval
    (the two adjusted means share θ·x̄ of both arms, so they are not independent), Cohen's d on y − θx, the mSPRT."""
    n1, n2 = len(y1), len(y2)
    x_all = np.concatenate([x1, x2]).mean()
    control = float(fit.params[0] + theta * x_all)
    treatment = float(fit.params[0] + fit.params[1] + theta * x_all)
    out = {'controlValue': control, 'treatmentValue': treatment}
    # Estimates (ȳc, x̄c, ȳt, x̄t) with θ held fixed, as the test holds it: their covariance, and the gradient of T'/C' − 1
    # where C' = ȳc − θ(x̄c − x̄) and T' = ȳt − θ(x̄t − x̄), x̄ = (nc·x̄c + nt·x̄t) / (nc + nt).
    cov = np.zeros((4, 4))
    cov[:2, :2] = np.cov(np.vstack([y1, x1]), ddof=1) / n1
    cov[2:, 2:] = np.cov(np.vstack([y2, x2]), ddof=1) / n2
    wc, wt = n1 / (n1 + n2), n2 / (n1 + n2)
    d_control = np.array([1, -theta * wt, 0, theta * wt])
    d_treatment = np.array([0, theta * wc, 1, -theta * wc])
    grad = d_treatment / control - treatment * d_control / control ** 2
    se = float(np.sqrt(grad @ cov @ grad))
    rel = treatment / control - 1
    out.update({'relative': rel, 'relativeLower': rel - crit * se, 'relativeUpper': rel + crit * se})
    a1, a2 = y1 - theta * x1, y2 - theta * x2
    pooled = np.sqrt(((n1 - 1) * a1.var(ddof=1) + (n2 - 1) * a2.var(ddof=1)) / (n1 + n2 - 2))
    out['effectSize'] = float((treatment - control) / pooled)
    out['tau'] = tau
    out['sequential'] = msprt(treatment - control, float(v1 + v2), tau, alpha)
    return out


def normal_power(effect, n, alpha):
    """statsmodels' power of the two-sided two-sample z-test with n per group."""
    return float(NormalIndPower().power(effect_size=effect, nobs1=n, alpha=alpha, ratio=1, alternative='two-sided'))


def normal_powers(effect, n, alpha):
    """Around n: statsmodels' two-sided power ('powers'), and the power the formula solves for, the rejections in the effect's
    direction only, i.e. the one-sided test at α/2 ('formulaPowers'). The two-sided power also counts rejections in the wrong
    direction (up to 0.5% at α = 0.2), so it can reach the target a few n below the formula's solution."""
    ks = range(max(2, n - 2), n + 2)
    return {'powers': {str(k): normal_power(effect, k, alpha) for k in ks},
            'formulaPowers': {str(k): float(NormalIndPower().power(effect_size=effect, nobs1=k, alpha=alpha / 2, ratio=1, alternative='larger'))
                              for k in ks}}


def t_power(effect, n, alpha):
    """statsmodels' power of the two-sided two-sample Student t-test with n per group (scipy's noncentral t)."""
    return float(TTestIndPower().power(effect_size=effect, nobs1=n, alpha=alpha, ratio=1, alternative='two-sided'))


def t_sample_size(effect, alpha, power, start):
    """The smallest n per group at which TTestIndPower reaches `power`, with its power there and one below, searched from the
    normal formula's n (`start`)."""
    # Power grows with n: bracket, then bisect. The two-sided power also counts rejections in the wrong direction, so the
    # answer can lie below the formula's n.
    low, high = max(2, start), max(2, start)
    while low > 2 and t_power(effect, low, alpha) >= power:
        low = max(2, low - 2 * (high - low) - 1)
    while t_power(effect, high, alpha) < power:
        high = high + 2 * (high - low) + 1
    if t_power(effect, low, alpha) >= power:
        return {'sampleSize': low, 'tPowers': {str(k): t_power(effect, k, alpha) for k in range(max(2, low - 1), low + 1)}}
    while high - low > 1:
        mid = (low + high) // 2
        if t_power(effect, mid, alpha) >= power:
            high = mid
        else:
            low = mid
    n = high
    return {'sampleSize': n, 'tPowers': {str(k): t_power(effect, k, alpha) for k in range(max(2, n - 1), n + 1)}}


def mean_sample_size_vectors():
    """Sample sizes for means: the normal-approximation formula 2σ²(z₁₋α/₂ + z₁₋β)²/δ² with scipy's quantiles (what a z-tested
    mean, a ratio, uses) with statsmodels' NormalIndPower around it, and the t-test's own n (what means and CUPED use, since
    they are tested with t): the smallest n at which TTestIndPower reaches the power (64 for d = 0.5, where the formula's 63
    leaves the t-test at 0.795)."""
    rows = []
    for sd, mde, alpha, power in [(1, 0.5, 0.05, 0.8), (10, 2, 0.05, 0.8), (1, 1.4, 0.05, 0.8), (1, 1.9, 0.05, 0.8), (3, 0.01, 0.05, 0.8),
                                  (250, 1, 0.01, 0.9), (0.02, 0.001, 0.001, 0.99), (1e3, 0.05, 0.05, 0.8), (4.5, 0.7, 0.2, 0.5),
                                  (1e-6, 1e-8, 0.05, 0.95), (120, 3.7, 0.025, 0.85), (1, 0.3, 0.1, 0.7)]:
        za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
        raw = 2 * sd ** 2 * (za + zb) ** 2 / mde ** 2
        n = int(math.ceil(raw))
        rows.append({'stdDev': sd, 'mde': mde, 'alpha': alpha, 'power': power, 'raw': float(raw), **normal_powers(mde / sd, n, alpha),
                     **t_sample_size(mde / sd, alpha, power, n)})
    return rows


def t_arm(values, confidence):
    """One arm of a mean: its mean, sample standard deviation and scipy.stats.t.interval."""
    n, mean, sd = len(values), values.mean(), values.std(ddof=1)
    lo, hi = stats.t.interval(confidence, n - 1, loc=mean, scale=sd / np.sqrt(n)) if sd > 0 else (mean, mean)
    return {'value': float(mean), 'stdDev': float(sd), 'interval': [float(lo), float(hi)]}


def mean_arm_vectors():
    """Per-arm figures for means: mean, sample standard deviation and scipy.stats.t.interval, from raw values."""
    rng = np.random.default_rng(20261207)
    sets = [np.array([1.0, 2.0]), np.array([-3.5, 7.25, 0.5]), np.full(10, 2.5), np.array([0.0, 0.0, 1e-3, 0.0, 0.0])]
    for n in [2, 4, 30, 1000, 50000]:
        sets.append(rng.normal(float(rng.uniform(-100, 1000)), float(rng.uniform(0.1, 50)), n))
        sets.append(rng.exponential(float(rng.uniform(1, 200)), n))
    rows = []
    for i, values in enumerate(sets):
        confidence = [0.95, 0.99, 0.975, 0.8][i % 4]
        rows.append({'aggregate': arm(values), 'confidence': confidence, **t_arm(values, confidence)})
    return rows


def mean_comparison_vectors():
    """Means from raw values: Welch's t (scipy), relative difference and its delta-method interval, Cohen's d, the mSPRT."""
    rng = np.random.default_rng(20261208)
    rows = []
    shapes = [(2, 2), (2, 3), (5, 4), (30, 31), (1000, 1000), (20000, 15000), (100000, 100000)]
    for i in range(24):
        n1, n2 = shapes[i] if i < len(shapes) else (int(rng.integers(2, 30000)), int(rng.integers(2, 30000)))
        base, sd = float(rng.uniform(-50, 800)), float(rng.uniform(0.2, 60))
        lift = float(rng.choice([0.0, rng.uniform(-0.3, 0.3), rng.uniform(-3, 3) / np.sqrt(min(n1, n2))]))
        if i % 4 == 3:
            y1, y2 = rng.exponential(sd, n1), rng.exponential(sd * (1 + lift), n2)
        else:
            y1, y2 = rng.normal(base, sd, n1), rng.normal(base + lift * sd, sd * float(rng.uniform(0.5, 2)), n2)
        alpha = float(rng.choice([0.05, 0.01, 0.025]))
        tau = float(sd * rng.choice([0.05, 0.2, 1.0]))
        m1, m2, s1, s2 = y1.mean(), y2.mean(), y1.std(ddof=1), y2.std(ddof=1)
        v1, v2 = s1 ** 2 / n1, s2 ** 2 / n2
        t, p = stats.ttest_ind(y2, y1, equal_var=False)
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
        crit = stats.t.ppf(1 - alpha / 2, df)
        pooled = np.sqrt(((n1 - 1) * s1 ** 2 + (n2 - 1) * s2 ** 2) / (n1 + n2 - 2))
        rows.append({'control': arm(y1), 'treatment': arm(y2), 'alpha': alpha, 'tau': tau, 'difference': float(m2 - m1),
                     't': float(t), 'p': float(p), 'df': float(df),
                     'lower': float(m2 - m1 - crit * np.sqrt(v1 + v2)), 'upper': float(m2 - m1 + crit * np.sqrt(v1 + v2)),
                     **relative_figures(float(m1), float(v1), float(m2), float(v2), crit),
                     'effectSize': float((m2 - m1) / pooled), 'sequential': msprt(float(m2 - m1), float(v1 + v2), tau, alpha)})
    return rows


def sequential_vectors():
    """The mSPRT on its own (difference, variance, τ, α), edges first: no difference, tiny and huge samples, no variance,
    evidence so strong that 1/Λ is below 1e-190 or underflows to 0."""
    rng = np.random.default_rng(20261209)
    rows = [(0.0, 1.0, 1.0, 0.05), (0.0, 1e-12, 0.01, 0.05), (0.5, 100.0, 0.1, 0.05), (3.0, 4.0, 0.5, 0.01), (1e-7, 1e-14, 0.01, 0.05),
            (2e-6, 1e-12, 1e-4, 0.05), (0.3, 1e-4, 0.1, 0.05), (-0.3, 1e-4, 0.1, 0.05), (1.0, 1e-6, 0.5, 0.05), (-50.0, 0.01, 2.0, 0.001),
            (0.02, 0.0, 0.02, 0.05), (0.02, 1e-4, 1e-3, 0.05), (0.02, 1e-4, 100.0, 0.05), (1e4, 1e6, 1e3, 0.1), (0.01, 2.5e-5, 0.01, 0.2 / 3)]
    for _ in range(20):
        variance = float(10 ** rng.uniform(-10, 4))
        tau = float(np.sqrt(variance) * 10 ** rng.uniform(-2, 2))
        diff = float(np.sqrt(variance) * rng.uniform(-8, 8))
        rows.append((diff, variance, tau, float(rng.choice([0.05, 0.01, 0.1]))))
    return [{'diff': d, 'variance': v, 'tau': t, 'alpha': a, 'expected': msprt(d, v, t, a)} for d, v, t, a in rows]


def analysis_vectors():
    """Whole analyses from raw values: a mean primary metric (sample size from the pooled standard deviation), a rate and a mean
    guardrail (their mixture: 0.2 standard deviations of both arms' values), several treatments (α split), the sample-ratio check."""
    rng = np.random.default_rng(20261210)
    rows = []
    for i in range(6):
        variants = ['control'] + [f't{k}' for k in range(1, 1 + [1, 2, 3][i % 3])]
        shares = {v: float(w) for v, w in zip(variants, [50, 50, 30, 20] if i % 2 else [1, 1, 1, 1])}
        alpha, power = float(rng.choice([0.05, 0.1, 0.01])), float(rng.choice([0.8, 0.9]))
        base, sd = float(rng.uniform(10, 500)), float(rng.uniform(1, 80))
        mde = float(sd * rng.uniform(0.02, 0.3))
        primary, errors, latency = {}, {}, {}
        raw = {}
        for v in variants:
            n = int(rng.integers(40, 6000)) if i != 5 else int(rng.integers(3, 12))
            y = rng.normal(base + float(rng.uniform(-1, 1)) * mde, sd, n)
            e = (rng.random(n) < float(rng.uniform(0.01, 0.2))).astype(float)
            lat = rng.gamma(4, float(rng.uniform(20, 60)), n)
            raw[v] = (y, e, lat)
            primary[v], errors[v], latency[v] = arm(y), arm(e), arm(lat)
        k = len(variants) - 1
        comparison_alpha = alpha / k
        pooled_sd = float(np.sqrt(sum((len(raw[v][0]) - 1) * raw[v][0].var(ddof=1) for v in variants) / sum(len(raw[v][0]) - 1 for v in variants)))
        # Sized at the level each treatment is tested at (α / k), so each comparison has the power.
        za, zb = stats.norm.ppf(1 - comparison_alpha / 2), stats.norm.ppf(power)
        size_raw = 2 * pooled_sd ** 2 * (za + zb) ** 2 / mde ** 2
        n_req = int(math.ceil(size_raw))
        observed = [len(raw[v][0]) for v in variants]
        expected_shares = [shares[v] / sum(shares.values()) for v in variants]
        chi, p_srm = stats.chisquare(observed, [s * sum(observed) for s in expected_shares])
        treatments = []
        y1, e1, l1 = raw['control']
        for v in variants[1:]:
            y2, e2, l2 = raw[v]
            t, p = stats.ttest_ind(y2, y1, equal_var=False)
            var = y1.var(ddof=1) / len(y1) + y2.var(ddof=1) / len(y2)
            guard = []
            for kind, g1, g2 in [('rate', e1, e2), ('mean', l1, l2)]:
                both = np.concatenate([g1, g2])
                # The guardrail's mixture: 0.2 standard deviations of its values in both arms (Bernoulli's √(p̄(1−p̄)) for a rate).
                spread = float(np.sqrt(both.mean() * (1 - both.mean()))) if kind == 'rate' else float(both.std(ddof=1))
                gvar = float(g1.var(ddof=0) / len(g1) + g2.var(ddof=0) / len(g2)) if kind == 'rate' else \
                    float(g1.var(ddof=1) / len(g1) + g2.var(ddof=1) / len(g2))
                if kind == 'rate':
                    gp = float(proportions_ztest([g2.sum(), g1.sum()], [len(g2), len(g1)])[1])
                else:
                    gp = float(stats.ttest_ind(g2, g1, equal_var=False)[1])
                guard.append({'p': gp, 'tau': 0.2 * spread, 'sequential': msprt(float(g2.mean() - g1.mean()), gvar, 0.2 * spread, alpha,
                                                                              within=(-1, 1) if kind == 'rate' else None)})
            treatments.append({'variant': v, 't': float(t), 'p': float(p), 'sequential': msprt(float(y2.mean() - y1.mean()), float(var), mde, comparison_alpha),
                               'guardrails': guard})
        rows.append({'variants': variants, 'shares': shares, 'alpha': alpha, 'power': power, 'mde': mde,
                     'totals': {'revenue': primary, 'errors': errors, 'latency': latency},
                     'pooledSd': pooled_sd, 'sampleSizeRaw': float(size_raw),
                     'samplePowers': normal_powers(mde / pooled_sd, n_req, comparison_alpha),
                     **t_sample_size(mde / pooled_sd, comparison_alpha, power, n_req),
                     'comparisonAlpha': comparison_alpha, 'expected': [s * sum(observed) for s in expected_shares],
                     'chiSquare': float(chi), 'srmP': float(p_srm),
                     'arms': [t_arm(raw[v][0], 0.95) for v in variants],
                     'treatments': treatments})
    return rows


def segment_vectors():
    """Segments: per-segment pooled z-tests (rates) or Welch t-tests (means) and mSPRTs, Holm-adjusted over the whole family
    by statsmodels' multipletests."""
    from statsmodels.stats.multitest import multipletests
    rng = np.random.default_rng(20261211)
    rows = []
    for i, kind in enumerate(['rate', 'mean', 'rate']):
        treatments = ['a', 'b'] if i != 2 else ['a']
        alpha, mde = 0.05, (0.02 if kind == 'rate' else 1.5)
        totals, family = {}, []
        for s in range(int(rng.integers(3, 8))):
            segment = f'seg{s}'
            totals[segment] = {}
            raw = {}
            for v in ['control'] + treatments:
                n = int(rng.integers(2, 3000)) if s != 1 else 1
                values = (rng.random(n) < float(rng.uniform(0.05, 0.4))).astype(float) if kind == 'rate' else rng.normal(50, 8, n)
                raw[v] = values
                totals[segment][v] = arm(values)
            for v in treatments:
                c, t = raw['control'], raw[v]
                if len(c) < 2 or len(t) < 2:
                    continue
                if kind == 'rate':
                    if c.sum() + t.sum() in (0, len(c) + len(t)):
                        continue
                    p = float(proportions_ztest([t.sum(), c.sum()], [len(t), len(c)])[1])
                    var = c.var(ddof=0) / len(c) + t.var(ddof=0) / len(t)
                else:
                    p = float(stats.ttest_ind(t, c, equal_var=False)[1])
                    var = c.var(ddof=1) / len(c) + t.var(ddof=1) / len(t)
                seq = msprt(float(t.mean() - c.mean()), float(var), mde, alpha)
                family.append({'segment': segment, 'variant': v, 'p': p, 'sequentialP': seq['p'] if seq else 1.0})
        fixed = multipletests([f['p'] for f in family], method='holm')[1]
        sequential = multipletests([f['sequentialP'] for f in family], method='holm')[1]
        for f, a, b in zip(family, fixed, sequential):
            f['adjusted'], f['adjustedSequential'] = float(a), float(b)
        rows.append({'type': kind, 'treatments': treatments, 'alpha': alpha, 'mde': mde, 'totals': totals, 'family': family})
    return rows


def power_at(row, n):
    """statsmodels' power of the pooled two-sided z-test with n per arm."""
    p1, diff = row['baselineRate'], row['mde']
    p2 = p1 + diff if p1 + diff <= 1 else p1 - diff
    return float(power_proportions_2indep(p2 - p1, p1, n, ratio=1, alpha=row['alpha'], alternative='two-sided', return_results=False))


def rate_powers(row):
    """statsmodels' power of the pooled z-test at each n around the pooled-variance formula's."""
    p1, diff = row['baselineRate'], row['mde']
    p2 = p1 + diff if p1 + diff <= 1 else p1 - diff
    za, zb = stats.norm.ppf(1 - row['alpha'] / 2), stats.norm.ppf(row['power'])
    pbar = (p1 + p2) / 2
    approx = int(np.ceil((za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / diff ** 2))
    return {str(n): power_at(row, n) for n in range(max(2, approx - 3), approx + 4)}


def rate_analysis_vectors():
    """Whole analyses of a rate: the sample size from the control's observed rate (statsmodels' power table around it), Wilson
    arms, and per treatment the pooled z-test, Newcombe interval, relative difference, Cohen's h and mSPRT at α / treatments."""
    rng = np.random.default_rng(20261212)
    rows = []
    for i in range(4):
        variants = ['control'] + [f't{k}' for k in range(1, 2 + i % 2)]
        alpha, power = float(rng.choice([0.05, 0.1, 0.01])), float(rng.choice([0.8, 0.9]))
        base, mde = float(rng.uniform(0.02, 0.6)), float(rng.choice([0.01, 0.02, 0.05]))
        raw = {v: (rng.random(int(rng.integers(200, 20000))) < base + float(rng.uniform(-1, 1)) * mde).astype(float) for v in variants}
        comparison_alpha = alpha / (len(variants) - 1)
        crit = stats.norm.ppf(1 - comparison_alpha / 2)
        c = raw['control']
        arms = []
        for v in variants:
            lo, hi = proportion_confint(raw[v].sum(), len(raw[v]), alpha=0.05, method='wilson')
            arms.append({'value': float(raw[v].mean()), 'stdDev': float(raw[v].std(ddof=1)), 'interval': [float(lo), float(hi)]})
        treatments = []
        for v in variants[1:]:
            t = raw[v]
            z, p = proportions_ztest([t.sum(), c.sum()], [len(t), len(c)])
            lo, hi = confint_proportions_2indep(t.sum(), len(t), c.sum(), len(c), method='newcomb', compare='diff', alpha=comparison_alpha)
            v1, v2 = c.var(ddof=0) / len(c), t.var(ddof=0) / len(t)
            treatments.append({'variant': v, 'z': float(z), 'p': float(p), 'lower': float(lo), 'upper': float(hi),
                               **relative_figures(float(c.mean()), float(v1), float(t.mean()), float(v2), crit),
                               'effectSize': float(proportion_effectsize(t.mean(), c.mean())),
                               'sequential': msprt(float(t.mean() - c.mean()), float(v1 + v2), mde, comparison_alpha)})
        sizing = {'baselineRate': float(c.mean()), 'mde': mde, 'alpha': comparison_alpha, 'power': power}
        rows.append({'variants': variants, 'alpha': alpha, 'power': power, 'mde': mde, 'totals': {v: arm(raw[v]) for v in variants},
                     'comparisonAlpha': comparison_alpha, 'powers': rate_powers(sizing), 'arms': arms, 'treatments': treatments})
    return rows


def ratio_analysis_vectors():
    """Whole analyses of a ratio metric: per-arm Σy/Σx with delta-method intervals and linearised spread, the sample size from
    the pooled linearised standard deviation, and per treatment the delta-method z-test, relative difference, Cohen's d, mSPRT."""
    rng = np.random.default_rng(20261213)
    rows = []
    for i in range(3):
        variants = ['control'] + [f't{k}' for k in range(1, 2 + i % 2)]
        alpha, power = float(rng.choice([0.05, 0.1])), 0.8
        rate, mde = float(rng.uniform(0.05, 0.5)), float(rng.uniform(0.005, 0.05))
        raw = {}
        for v in variants:
            n = int(rng.integers(30, 3000))
            x = rng.poisson(float(rng.choice([5.0, 50.0])), n).astype(float) + 1
            raw[v] = (rng.binomial(x.astype(int), min(1.0, rate + float(rng.uniform(-1, 1)) * mde)).astype(float), x)
        comparison_alpha = alpha / (len(variants) - 1)
        z95 = stats.norm.ppf(0.975)
        arms, linear = [], {}
        for v in variants:
            y, x = raw[v]
            r, var = y.sum() / x.sum(), delta_variance(y, x)
            linear[v] = (y - r * x) / x.mean()
            arms.append({'value': float(r), 'stdDev': float(linear[v].std(ddof=1)),
                         'interval': [float(r - z95 * np.sqrt(var)), float(r + z95 * np.sqrt(var))]})
        pooled_sd = float(np.sqrt(sum((len(u) - 1) * u.var(ddof=1) for u in linear.values()) / sum(len(u) - 1 for u in linear.values())))
        za, zb = stats.norm.ppf(1 - comparison_alpha / 2), stats.norm.ppf(power)
        size_raw = 2 * pooled_sd ** 2 * (za + zb) ** 2 / mde ** 2
        treatments = []
        y1, x1 = raw['control']
        for v in variants[1:]:
            y2, x2 = raw[v]
            v1, v2 = delta_variance(y1, x1), delta_variance(y2, x2)
            r1, r2 = y1.sum() / x1.sum(), y2.sum() / x2.sum()
            z = (r2 - r1) / np.sqrt(v1 + v2)
            extra = ratio_extra(y1, x1, y2, x2, v1, v2, stats.norm.ppf(1 - comparison_alpha / 2), comparison_alpha, mde)
            del extra['controlStdDev'], extra['tau']
            treatments.append({'variant': v, 'z': float(z), 'p': float(2 * stats.norm.sf(abs(z))), **extra})
        rows.append({'variants': variants, 'alpha': alpha, 'power': power, 'mde': mde, 'pairs': {v: sums(*raw[v]) for v in variants},
                     'comparisonAlpha': comparison_alpha, 'sampleSizeRaw': float(size_raw),
                     'samplePowers': normal_powers(mde / pooled_sd, int(math.ceil(size_raw)), comparison_alpha), 'arms': arms, 'treatments': treatments})
    return rows


def cuped_analysis_vectors():
    """Whole analyses with CUPED and a covariate for every unit: the sample size from the residual standard deviation of
    statsmodels' OLS y ~ variant + x over every variant, and per treatment the adjusted comparison (OLS on the two arms)."""
    import statsmodels.api as sm
    rng = np.random.default_rng(20261214)
    rows = []
    for i in range(3):
        variants = ['control'] + [f't{k}' for k in range(1, 2 + i % 2)]
        alpha, power = 0.05, float(rng.choice([0.8, 0.9]))
        base, sd, rho = float(rng.uniform(10, 300)), float(rng.uniform(2, 40)), float(rng.uniform(0.3, 0.95))
        mde = float(sd * rng.uniform(0.05, 0.3))
        raw = {}
        for v in variants:
            n = int(rng.integers(50, 3000))
            x = rng.normal(base, sd, n)
            raw[v] = (base + float(rng.uniform(-1, 1)) * mde + rho * (x - base) + rng.normal(0, sd * np.sqrt(1 - rho ** 2), n), x)
        ys = np.concatenate([raw[v][0] for v in variants])
        dummies = np.column_stack([np.concatenate([np.full(len(raw[w][0]), float(w == v)) for w in variants]) for v in variants[1:]])
        fit_all = sm.OLS(ys, sm.add_constant(np.column_stack([dummies, np.concatenate([raw[v][1] for v in variants])]))).fit()
        residual_sd = float(np.sqrt(fit_all.ssr / (len(ys) - len(variants))))
        comparison_alpha = alpha / (len(variants) - 1)
        za, zb = stats.norm.ppf(1 - comparison_alpha / 2), stats.norm.ppf(power)
        size_raw = 2 * residual_sd ** 2 * (za + zb) ** 2 / mde ** 2
        treatments = []
        y1, x1 = raw['control']
        for v in variants[1:]:
            y2, x2 = raw[v]
            n1, n2 = len(y1), len(y2)
            fit = sm.OLS(np.concatenate([y1, y2]), sm.add_constant(np.column_stack([np.r_[np.zeros(n1), np.ones(n2)], np.r_[x1, x2]]))).fit()
            theta = float(fit.params[2])
            a1, a2 = y1 - theta * x1, y2 - theta * x2
            t, p = stats.ttest_ind(a2, a1, equal_var=False)
            va, vb = a1.var(ddof=1) / n1, a2.var(ddof=1) / n2
            df = (va + vb) ** 2 / (va ** 2 / (n1 - 1) + vb ** 2 / (n2 - 1))
            extra = cuped_extra(fit, y1, x1, y2, x2, theta, va, vb, stats.t.ppf(1 - comparison_alpha / 2, df), comparison_alpha, mde)
            del extra['tau']
            unadjusted_t, unadjusted_p = stats.ttest_ind(y2, y1, equal_var=False)
            treatments.append({'variant': v, 'theta': theta, 'difference': float(fit.params[1]), 't': float(t), 'p': float(p), 'df': float(df),
                               'unadjustedT': float(unadjusted_t), 'unadjustedP': float(unadjusted_p), **extra})
        rows.append({'variants': variants, 'alpha': alpha, 'power': power, 'mde': mde, 'totals': {v: arm(raw[v][0]) for v in variants},
                     'pairs': {v: sums(*raw[v]) for v in variants}, 'comparisonAlpha': comparison_alpha,
                     'residualSd': residual_sd, 'sampleSizeRaw': float(size_raw),
                     'samplePowers': normal_powers(mde / residual_sd, int(math.ceil(size_raw)), comparison_alpha),
                     **t_sample_size(mde / residual_sd, comparison_alpha, power, int(math.ceil(size_raw))), 'treatments': treatments})
    return rows


if __name__ == '__main__':
    data = vectors()
    data['rateAnalyses'] = rate_analysis_vectors()
    data['ratioAnalyses'] = ratio_analysis_vectors()
    data['cupedAnalyses'] = cuped_analysis_vectors()
    # The sample size itself is ours; what scipy/statsmodels give is the power at any n, so store a
    # table of powers around the formula's n for the spec to check the computed n against.
    for row in data['rateSampleSizes']:
        row['powers'] = rate_powers(row)
    with open(OUT, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.normpath(OUT)}')
