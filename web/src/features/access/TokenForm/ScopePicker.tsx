import { useId } from 'react';
import { FieldMessage } from '../../../components/common/FieldMessage';
import { fieldId } from '../../../components/common/fieldErrors';
import { ALL, type ScopeChoice, toggleKey } from './tokenScope';

/**
 * "All" or a chosen few of a list (projects, environments): two radios, then a checkbox per option
 * once "Only these" is chosen. Radios and checkboxes keep the browser's own keys (arrows, Space).
 */
export const ScopePicker = ({
  path,
  legend,
  plural,
  options,
  value,
  onChange,
  messages,
}: {
  /** The API's field name, which its 400s use. */
  path: 'projects' | 'environments';
  legend: string;
  /** "projects": said in "All projects", "Only these projects". */
  plural: string;
  options: { key: string; label: string }[];
  value: ScopeChoice;
  onChange: (value: ScopeChoice) => void;
  messages: string[];
}) => {
  const group = useId();
  const only = value.kind === 'only' ? value.keys : null;
  return (
    <fieldset className="scope-picker" id={fieldId(path)} aria-describedby={messages.length > 0 ? `${fieldId(path)}-error` : undefined}>
      <legend>{legend}</legend>
      <div className="scope-modes">
        <label className="checkbox-inline">
          <input type="radio" name={group} checked={only === null} onChange={() => onChange(ALL)} />
          All {plural}
        </label>
        <label className="checkbox-inline">
          <input type="radio" name={group} checked={only !== null} onChange={() => onChange({ kind: 'only', keys: [] })} />
          Only these {plural}
        </label>
      </div>
      {only !== null && (
        <div className="env-picker" role="group" aria-label={`${legend} the token is limited to`}>
          {options.length === 0 && <span className="muted small">No {plural} to choose from.</span>}
          {options.map((option) => (
            <label key={option.key} className="chip-check">
              <input type="checkbox" checked={only.includes(option.key)} onChange={(e) => onChange(toggleKey(value, option.key, e.target.checked))} />
              {option.label}
              {option.label.toLowerCase() !== option.key && <code className="small">{option.key}</code>}
            </label>
          ))}
        </div>
      )}
      <FieldMessage path={path} messages={messages} />
    </fieldset>
  );
};
