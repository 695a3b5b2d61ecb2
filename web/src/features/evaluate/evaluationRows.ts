import type { FlagEvaluation } from '../../api/evaluate';

/** The rule that decided, as a person reads it: "rule 2: eu canary" (rules count from 1 on screen). */
export const describeRule = (rule: FlagEvaluation['rule']): string | null => {
  if (!rule) return null;
  const name = rule.description || rule.id;
  return `rule ${rule.index + 1}${name ? `: ${name}` : ''}`;
};

/** A served value as it would be read in code; absent when the caller's default is served. */
export const showValue = (evaluation: FlagEvaluation): string => (evaluation.variant === undefined ? "caller's default" : JSON.stringify(evaluation.value));

/** The rows whose flag key, variant, value, reason or deciding rule contain every word of `filter` (case-insensitive). */
export const filterEvaluations = (flags: FlagEvaluation[], filter: string): FlagEvaluation[] => {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return flags;
  return flags.filter((f) => {
    const text = [f.flagKey, f.variant ?? '', showValue(f), f.reason, f.errorCode ?? '', describeRule(f.rule) ?? ''].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
};
