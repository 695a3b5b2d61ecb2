import { useState } from 'react';
import type { AttributeOperator, Clause, SegmentView } from '../../../api/types';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors } from '../../../components/common/fieldErrors';
import { OPERATOR_LABELS, OPERATORS } from '../flagConfig';
import { formatClauseValues, parseClauseValues } from './clauseValues';

export const COMMON_ATTRIBUTES = ['targetingKey', 'runId', 'batchId', 'pipeline', 'email', 'plan', 'region', 'team', 'modelVersion'];

const ValuesInput = ({
  clause,
  onChange,
  label,
  path,
  messages,
}: {
  clause: Extract<Clause, { attribute: string }>;
  onChange: (clause: Clause) => void;
  label: string;
  path: string;
  messages: string[];
}) => {
  const [text, setText] = useState(formatClauseValues(clause.values, clause.op));
  // Keep what the user typed (a trailing comma, spaces) unless the values changed from outside;
  // adjusted while rendering, so the old text never shows (react.dev: "Adjusting some state when a prop changes").
  const [shown, setShown] = useState({ values: clause.values, op: clause.op });
  if (shown.values !== clause.values || shown.op !== clause.op) {
    setShown({ values: clause.values, op: clause.op });
    if (JSON.stringify(parseClauseValues(text, clause.op)) !== JSON.stringify(clause.values)) setText(formatClauseValues(clause.values, clause.op));
  }
  const multiline = clause.op === 'matches';
  const props = {
    'aria-label': `${label} values`,
    placeholder: multiline ? 'one regular expression per line' : 'comma-separated values',
    value: text,
    ...describedBy(path, messages),
  };
  return multiline ? (
    <textarea
      rows={1}
      {...props}
      onChange={(e) => {
        setText(e.target.value);
        onChange({ ...clause, values: parseClauseValues(e.target.value, clause.op) });
      }}
    />
  ) : (
    <input
      {...props}
      onChange={(e) => {
        setText(e.target.value);
        onChange({ ...clause, values: parseClauseValues(e.target.value, clause.op) });
      }}
    />
  );
};

/** One condition: `attribute op values` or `in segment …`, optionally negated. */
export const ClauseEditor = ({
  clause,
  onChange,
  onRemove,
  path,
  errors,
  label,
  segments,
}: {
  clause: Clause;
  onChange: (clause: Clause) => void;
  onRemove?: () => void;
  path: string;
  errors: FieldErrors;
  label: string;
  /** Segments to pick from; absent where segment conditions are not allowed (inside a segment). */
  segments?: SegmentView[];
}) => {
  const type = clause.op === 'segment' ? 'segment' : 'attribute';
  const attributeMessages = errorsFor(errors, `${path}.attribute`);
  const opMessages = errorsFor(errors, `${path}.op`);
  const valueMessages = errorsFor(errors, `${path}.values`);
  const segmentMessages = errorsFor(errors, `${path}.segments`);
  const ownMessages = errorsFor(errors, path);
  return (
    <div className="clause" data-path={path}>
      <label className="clause-negate" title="Negate: the condition matches when this is false">
        <input type="checkbox" checked={!!clause.negate} onChange={(e) => onChange({ ...clause, negate: e.target.checked || undefined })} />
        NOT
      </label>
      {segments && (
        <select
          aria-label={`${label} kind`}
          value={type}
          onChange={(e) =>
            onChange(
              e.target.value === 'segment'
                ? { op: 'segment', segments: [], negate: clause.negate }
                : { attribute: '', op: 'in', values: [], negate: clause.negate },
            )
          }
        >
          <option value="attribute">attribute</option>
          <option value="segment">segment</option>
        </select>
      )}
      {clause.op === 'segment' ? (
        <div role="group" className="segment-picker" aria-label={`${label} segments`} {...describedBy(`${path}.segments`, segmentMessages)}>
          {(segments ?? []).length === 0 && <span className="muted">No segments in this project yet.</span>}
          {(segments ?? []).map((segment) => (
            <label key={segment.key} className="chip-check" title={segment.description}>
              <input
                type="checkbox"
                checked={clause.segments.includes(segment.key)}
                onChange={(e) =>
                  onChange({
                    ...clause,
                    segments: e.target.checked ? [...clause.segments, segment.key] : clause.segments.filter((s) => s !== segment.key),
                  })
                }
              />
              {segment.name} <code>{segment.key}</code>
            </label>
          ))}
          <FieldMessage path={`${path}.segments`} messages={segmentMessages} />
        </div>
      ) : (
        <>
          <div className="clause-field">
            <input
              aria-label={`${label} attribute`}
              placeholder="attribute"
              list="signalbox-attributes"
              value={clause.attribute}
              onChange={(e) => onChange({ ...clause, attribute: e.target.value })}
              {...describedBy(`${path}.attribute`, attributeMessages)}
            />
            <FieldMessage path={`${path}.attribute`} messages={attributeMessages} />
          </div>
          <div className="clause-field clause-op">
            <select
              aria-label={`${label} operator`}
              value={clause.op}
              onChange={(e) => {
                const op = e.target.value as AttributeOperator;
                onChange({ ...clause, op, values: op === 'exists' ? [] : parseClauseValues(formatClauseValues(clause.values, op), op) });
              }}
              {...describedBy(`${path}.op`, opMessages)}
            >
              {OPERATORS.map((op) => (
                <option key={op} value={op}>
                  {OPERATOR_LABELS[op]}
                </option>
              ))}
            </select>
            <FieldMessage path={`${path}.op`} messages={opMessages} />
          </div>
          {clause.op !== 'exists' && (
            <div className="clause-field clause-values">
              <ValuesInput clause={clause} onChange={onChange} label={label} path={`${path}.values`} messages={valueMessages} />
              <FieldMessage path={`${path}.values`} messages={valueMessages} />
            </div>
          )}
        </>
      )}
      {onRemove && (
        <button type="button" className="btn-icon" aria-label={`Remove ${label}`} onClick={onRemove}>
          ×
        </button>
      )}
      <FieldMessage path={path} messages={ownMessages} />
    </div>
  );
};

export const AttributeSuggestions = () => (
  <datalist id="signalbox-attributes">
    {COMMON_ATTRIBUTES.map((attribute) => (
      <option key={attribute} value={attribute} />
    ))}
  </datalist>
);
