import type { CSSProperties, ReactNode } from 'react';
import { Field } from '../../../components/common/Field';
import { FieldMessage } from '../../../components/common/FieldMessage';

/** One guardrail row: a metric that must not get significantly worse. Never a ratio (the server refuses one). */
export interface GuardrailDraft {
  name: string;
  type: 'rate' | 'mean';
  better: 'increase' | 'decrease';
}

/** The row "Add a guardrail" adds, in both forms. */
export const newGuardrail = (): GuardrailDraft => ({ name: '', type: 'mean', better: 'decrease' });

/** What a row's metric input gets; the names match MetricNameInput's props, so they can be spread into it. */
export interface GuardrailNameInput {
  inputProps: Record<string, unknown>;
  index: number;
  value: string;
  maxLength: number;
  placeholder: string;
}

/**
 * The guardrail rows of the new-experiment form and the settings dialog: metric, type and direction,
 * with each field's messages at `guardrailMetrics[i].name|type|better` and the list's own under the rows.
 * The metric input is a plain one unless `renderName` gives another (the form's offers reported names).
 */
export const GuardrailFields = ({
  legend,
  rows,
  messages,
  onChange,
  onRemove,
  onAdd,
  renderName,
  empty,
  className,
  style,
}: {
  legend: string;
  rows: GuardrailDraft[];
  /** The messages of a field path, e.g. `guardrailMetrics[0].name`. */
  messages: (path: string) => string[];
  onChange: (index: number, change: Partial<GuardrailDraft>) => void;
  onRemove: (index: number) => void;
  onAdd: () => void;
  renderName?: (input: GuardrailNameInput) => ReactNode;
  /** Shown instead of the rows when there are none. */
  empty?: ReactNode;
  className?: string;
  style?: CSSProperties;
}) => {
  const name =
    renderName ??
    (({ inputProps, index, value, maxLength, placeholder }: GuardrailNameInput) => (
      <input {...inputProps} maxLength={maxLength} placeholder={placeholder} value={value} onChange={(e) => onChange(index, { name: e.target.value })} />
    ));
  return (
    <fieldset className={className} style={style}>
      <legend className="field-label">{legend}</legend>
      {rows.length === 0 && empty}
      {rows.map((g, i) => (
        <div className="field-pair" key={i}>
          <Field path={`guardrailMetrics[${i}].name`} label={`Guardrail ${i + 1} metric`} messages={messages(`guardrailMetrics[${i}].name`)}>
            {(p) => name({ inputProps: p, index: i, value: g.name, maxLength: 200, placeholder: 'model.latency_ms' })}
          </Field>
          <Field path={`guardrailMetrics[${i}].type`} label={`Guardrail ${i + 1} type`} messages={messages(`guardrailMetrics[${i}].type`)}>
            {(p) => (
              <select {...p} value={g.type} onChange={(e) => onChange(i, { type: e.target.value as GuardrailDraft['type'] })}>
                <option value="rate">rate</option>
                <option value="mean">mean</option>
              </select>
            )}
          </Field>
          <Field path={`guardrailMetrics[${i}].better`} label={`Guardrail ${i + 1} is better when it`} messages={messages(`guardrailMetrics[${i}].better`)}>
            {(p) => (
              <select {...p} value={g.better} onChange={(e) => onChange(i, { better: e.target.value as GuardrailDraft['better'] })}>
                <option value="decrease">decreases</option>
                <option value="increase">increases</option>
              </select>
            )}
          </Field>
          <button type="button" className="btn" onClick={() => onRemove(i)} aria-label={`Remove guardrail ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <FieldMessage path="guardrailMetrics" messages={messages('guardrailMetrics')} />
      <button type="button" className="btn" onClick={onAdd}>
        Add a guardrail
      </button>
    </fieldset>
  );
};
