import { OPERATOR_TABLE, operandProblems, type Clause, type Prerequisite, type Rule, type Serve, type Target } from '@signalbox/sdk/core';
import type { FlagConfigView, FlagView } from '../../api/flags';
import type { FieldErrors } from '../../components/common/fieldErrors';
import { fieldsChangedByBoth, rebaseFields } from '../../components/common/rebase';

/** What a console user edits of a flag's config in one environment: the SDK's configuration model. */
export interface EditableConfig {
  on: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  defaultRule: Serve | null;
  prerequisites: Prerequisite[];
}

export const EDITABLE_FIELDS = ['on', 'offVariant', 'targets', 'rules', 'defaultRule', 'prerequisites'] as const;

export const toEditable = (config: FlagConfigView | EditableConfig): EditableConfig => ({
  on: config.on,
  offVariant: config.offVariant,
  targets: config.targets,
  rules: config.rules,
  defaultRule: config.defaultRule,
  prerequisites: config.prerequisites,
});

/** After a version conflict: the user's config changes replayed on top of the current config. */
export const rebaseDraft = (base: EditableConfig, draft: EditableConfig, current: EditableConfig): EditableConfig =>
  rebaseFields(EDITABLE_FIELDS, base, draft, toEditable(current));

export const conflictingFields = (base: EditableConfig, draft: EditableConfig, current: EditableConfig): string[] =>
  fieldsChangedByBoth(EDITABLE_FIELDS, base, draft, current);

export { serveSummary } from './serveSummary';

export const describeClause = (clause: Clause): string => {
  const not = clause.negate ? 'NOT ' : '';
  if (clause.op === 'segment') return `${not}in segment ${clause.segments.join(' or ')}`;
  if (clause.op === 'exists') return `${not}${clause.attribute} exists`;
  return `${not}${clause.attribute} ${OPERATOR_TABLE[clause.op].label} ${clause.values.map((v) => JSON.stringify(v)).join(', ')}`;
};

export const newRule = (variant: string): Rule => ({
  clauses: [{ attribute: '', op: 'in', values: [] }],
  serve: { variant },
});

const serveErrors = (serve: Serve | null, path: string, variantKeys: Set<string>, errors: FieldErrors) => {
  if (!serve) return;
  if ('variant' in serve) {
    if (!variantKeys.has(serve.variant)) errors[`${path}.variant`] = ['choose a variant'];
    return;
  }
  const total = serve.rollout.variants.reduce((sum, v) => sum + v.weight, 0);
  if (total !== 100000) errors[`${path}.rollout.variants`] = [`weights add up to ${total / 1000}%, not 100%`];
  serve.rollout.variants.forEach((v, i) => {
    if (v.weight < 0 || v.weight > 100000) errors[`${path}.rollout.variants[${i}].weight`] = ['between 0% and 100%'];
  });
};

/** The checks the console can make before asking the server (which checks everything again). */
export const validateConfig = (
  draft: EditableConfig,
  flag: Pick<FlagView, 'variants' | 'key'>,
  options: { reasonRequired: boolean; reason: string },
): FieldErrors => {
  const errors: FieldErrors = {};
  const variantKeys = new Set(flag.variants.map((v) => v.key));
  if (options.reasonRequired && options.reason.trim() === '') errors.reason = ['this environment requires a reason for every change'];
  draft.rules.forEach((rule, r) => {
    if (rule.clauses.length === 0) errors[`rules[${r}].clauses`] = ['a rule needs at least one condition'];
    rule.clauses.forEach((clause, c) => {
      const path = `rules[${r}].clauses[${c}]`;
      if (clause.op === 'segment') {
        if (clause.segments.length === 0) errors[`${path}.segments`] = ['choose at least one segment'];
        return;
      }
      if (clause.attribute.trim() === '') errors[`${path}.attribute`] = ['name the context attribute'];
      if (clause.op !== 'exists' && clause.values.length === 0) {
        errors[`${path}.values`] = ['give at least one value'];
        return;
      }
      // The operator table's own checks: the console refuses exactly what the server and SDKs refuse.
      const problems = operandProblems(clause.op, clause.values);
      if (problems.length > 0)
        errors[`${path}.values`] = problems.map((p) => (p.index === undefined ? p.reason : `${JSON.stringify(clause.values[p.index])}: ${p.reason}`));
    });
    serveErrors(rule.serve, `rules[${r}].serve`, variantKeys, errors);
  });
  serveErrors(draft.defaultRule, 'defaultRule', variantKeys, errors);
  draft.prerequisites.forEach((p, i) => {
    if (!p.flag) errors[`prerequisites[${i}].flag`] = ['choose a flag'];
    else if (p.flag === flag.key) errors[`prerequisites[${i}].flag`] = ['a flag cannot require itself'];
    if (!p.variant) errors[`prerequisites[${i}].variant`] = ['choose a variant'];
  });
  return errors;
};
