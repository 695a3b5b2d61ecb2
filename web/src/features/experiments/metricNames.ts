import type { CatalogueMetric } from '../../api/metrics';

/**
 * What the metric catalogue says an experiment can measure, from the series names the SDKs send:
 * plain names (`converted`), ratio pairs (`ratio:NUM/DEN#part`, from trackRatio), CUPED pairs
 * (`cuped:METRIC#part`) and breakdowns by attribute (`METRIC@ATTRIBUTE=VALUE`, from segmentBy).
 */
export interface ReportedNames {
  /** Metric names a primary metric or guardrail can be. */
  metrics: string[];
  /** Rate-or-mean by name: a metric whose values are all 0 or 1 reads as a rate. */
  carriesValues: Map<string, boolean>;
  numerators: string[];
  denominators: string[];
  /** `numerator/denominator` pairs reported together. */
  ratios: Set<string>;
  /** Attribute names reported per metric. */
  attributes: Map<string, string[]>;
}

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

export const reportedNames = (catalogue: readonly CatalogueMetric[]): ReportedNames => {
  const metrics = new Set<string>();
  const carriesValues = new Map<string, boolean>();
  const numerators = new Set<string>();
  const denominators = new Set<string>();
  const ratios = new Set<string>();
  const attributes = new Map<string, Set<string>>();
  for (const { metric, carriesValues: values } of catalogue) {
    const pair = metric.lastIndexOf('#');
    const base = pair >= 0 ? metric.slice(0, pair) : metric;
    if (base.startsWith('ratio:')) {
      const slash = base.indexOf('/');
      if (slash > 'ratio:'.length && slash < base.length - 1) {
        const [numerator, denominator] = [base.slice('ratio:'.length, slash), base.slice(slash + 1)];
        numerators.add(numerator);
        denominators.add(denominator);
        ratios.add(`${numerator}/${denominator}`);
      }
      continue;
    }
    if (base.startsWith('cuped:')) {
      metrics.add(base.slice('cuped:'.length));
      continue;
    }
    const at = base.indexOf('@');
    const equals = base.indexOf('=', at);
    if (at > 0 && equals > at + 1) {
      const name = base.slice(0, at);
      metrics.add(name);
      const seen = attributes.get(name) ?? new Set<string>();
      seen.add(base.slice(at + 1, equals));
      attributes.set(name, seen);
      continue;
    }
    metrics.add(base);
    carriesValues.set(base, (carriesValues.get(base) ?? false) || values);
  }
  return {
    metrics: sorted(metrics),
    carriesValues,
    numerators: sorted(numerators),
    denominators: sorted(denominators),
    ratios,
    attributes: new Map([...attributes].map(([name, set]) => [name, sorted(set)])),
  };
};

const NOT_YET = 'in the last 7 days: the results stay empty until an SDK does. Check the name the code tracks (it is allowed, not refused).';

/** Why a metric name may be a typo, in the words the form shows under the field; null when the catalogue knows it (or is not loaded). */
export const metricNameWarning = (name: string, names: ReportedNames | undefined, flag: string): string | null => {
  const metric = name.trim();
  if (!names || metric === '' || names.metrics.includes(metric)) return null;
  return `No SDK has reported ${metric} for ${flag} ${NOT_YET}`;
};

export const ratioWarning = (numerator: string, denominator: string, names: ReportedNames | undefined, flag: string): string | null => {
  const [n, d] = [numerator.trim(), denominator.trim()];
  if (!names || n === '' || d === '' || names.ratios.has(`${n}/${d}`)) return null;
  return `No SDK has reported the ratio ${n}/${d} (trackRatio) for ${flag} ${NOT_YET}`;
};

export const segmentWarning = (attribute: string, metric: string, names: ReportedNames | undefined, flag: string): string | null => {
  const [a, m] = [attribute.trim(), metric.trim()];
  if (!names || a === '' || m === '' || names.attributes.get(m)?.includes(a)) return null;
  return `No SDK has reported ${m} by ${a} (segmentBy) for ${flag} ${NOT_YET}`;
};
