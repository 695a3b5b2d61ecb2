import type { Clause, Rule, Variant } from '@signalbox/sdk/core';
import type { SegmentView } from '../../../api/segments';
import { FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors } from '../../../components/common/fieldErrors';
import { ClauseEditor } from '../ClauseEditor/ClauseEditor';
import { newRule } from '../flagConfig';
import { ServeEditor } from '../ServeEditor/ServeEditor';

const move = <T,>(items: T[], from: number, to: number): T[] => {
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
};

/** Ordered targeting rules: the first rule whose conditions all match decides. */
export const RuleBuilder = ({
  rules,
  variants,
  segments,
  errors,
  onChange,
}: {
  rules: Rule[];
  variants: Variant[];
  segments: SegmentView[];
  errors: FieldErrors;
  onChange: (rules: Rule[]) => void;
}) => {
  const setRule = (index: number, rule: Rule) => onChange(rules.map((r, i) => (i === index ? rule : r)));
  const setClause = (r: number, c: number, clause: Clause) => {
    const rule = rules[r]!;
    setRule(r, { ...rule, clauses: rule.clauses.map((x, i) => (i === c ? clause : x)) });
  };
  return (
    <div className="rule-builder">
      {rules.length === 0 && <p className="muted">No rules: every context goes to the default rule.</p>}
      <ol className="rules">
        {rules.map((rule, r) => {
          const label = `Rule ${r + 1}`;
          return (
            <li key={rule.id ?? r} className="rule card" aria-label={label}>
              <div className="rule-header">
                <span className="rule-index">{r + 1}</span>
                <input
                  className="rule-description"
                  aria-label={`${label} description`}
                  placeholder="Describe this rule (optional)"
                  value={rule.description ?? ''}
                  onChange={(e) => setRule(r, { ...rule, description: e.target.value || undefined })}
                />
                <div className="rule-actions">
                  <button type="button" className="btn-icon" aria-label={`Move ${label} up`} disabled={r === 0} onClick={() => onChange(move(rules, r, r - 1))}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn-icon"
                    aria-label={`Move ${label} down`}
                    disabled={r === rules.length - 1}
                    onClick={() => onChange(move(rules, r, r + 1))}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost danger"
                    aria-label={`Remove ${label}`}
                    onClick={() => onChange(rules.filter((_, i) => i !== r))}
                  >
                    Remove
                  </button>
                </div>
              </div>
              <div className="rule-body">
                <div className="clauses">
                  {rule.clauses.map((clause, c) => (
                    <div key={c} className="clause-line">
                      <span className="clause-keyword">{c === 0 ? 'If' : 'and'}</span>
                      <ClauseEditor
                        clause={clause}
                        path={`rules[${r}].clauses[${c}]`}
                        label={`${label} condition ${c + 1}`}
                        errors={errors}
                        segments={segments}
                        onChange={(next) => setClause(r, c, next)}
                        onRemove={rule.clauses.length > 1 ? () => setRule(r, { ...rule, clauses: rule.clauses.filter((_, i) => i !== c) }) : undefined}
                      />
                    </div>
                  ))}
                  <FieldMessage path={`rules[${r}].clauses`} messages={errorsFor(errors, `rules[${r}].clauses`)} />
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    onClick={() => setRule(r, { ...rule, clauses: [...rule.clauses, { attribute: '', op: 'in', values: [] }] })}
                  >
                    + Condition
                  </button>
                </div>
                <div className="rule-serve">
                  <span className="clause-keyword">then serve</span>
                  <ServeEditor
                    serve={rule.serve}
                    variants={variants}
                    path={`rules[${r}].serve`}
                    label={label}
                    errors={errors}
                    onChange={(serve) => setRule(r, { ...rule, serve })}
                  />
                </div>
              </div>
            </li>
          );
        })}
      </ol>
      <button type="button" className="btn" onClick={() => onChange([...rules, newRule(variants[0]?.key ?? '')])}>
        + Add rule
      </button>
    </div>
  );
};
