import type { FlagView } from '../../../api/flags';
import type { Prerequisite } from '@signalbox/sdk/core';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors } from '../../../components/common/fieldErrors';

/** Flags that must serve a given variant before this one is evaluated further. */
export const PrerequisitesEditor = ({
  prerequisites,
  flags,
  selfKey,
  errors,
  onChange,
}: {
  prerequisites: Prerequisite[];
  flags: FlagView[];
  selfKey: string;
  errors: FieldErrors;
  onChange: (prerequisites: Prerequisite[]) => void;
}) => {
  const candidates = flags.filter((f) => f.key !== selfKey && !f.archived);
  const set = (index: number, prerequisite: Prerequisite) => onChange(prerequisites.map((p, i) => (i === index ? prerequisite : p)));
  return (
    <div className="prerequisites">
      {prerequisites.length === 0 && <p className="muted">No prerequisites.</p>}
      {prerequisites.map((prerequisite, index) => {
        const flag = flags.find((f) => f.key === prerequisite.flag);
        const flagPath = `prerequisites[${index}].flag`;
        const variantPath = `prerequisites[${index}].variant`;
        return (
          <div className="prerequisite" key={index}>
            <span>Requires</span>
            <div className="clause-field">
              <select
                aria-label={`Prerequisite ${index + 1} flag`}
                value={prerequisite.flag}
                onChange={(e) => {
                  const next = flags.find((f) => f.key === e.target.value);
                  set(index, { flag: e.target.value, variant: next?.variants[0]?.key ?? '' });
                }}
                {...describedBy(flagPath, errorsFor(errors, flagPath))}
              >
                <option value="">choose a flag…</option>
                {candidates.map((f) => (
                  <option key={f.key} value={f.key}>
                    {f.key}
                  </option>
                ))}
              </select>
              <FieldMessage path={flagPath} messages={errorsFor(errors, flagPath)} />
            </div>
            <span>to serve</span>
            <div className="clause-field">
              <select
                aria-label={`Prerequisite ${index + 1} variant`}
                value={prerequisite.variant}
                onChange={(e) => set(index, { ...prerequisite, variant: e.target.value })}
                {...describedBy(variantPath, errorsFor(errors, variantPath))}
              >
                {(flag?.variants ?? []).map((v) => (
                  <option key={v.key} value={v.key}>
                    {v.key}
                  </option>
                ))}
              </select>
              <FieldMessage path={variantPath} messages={errorsFor(errors, variantPath)} />
            </div>
            <button
              type="button"
              className="btn-icon"
              aria-label={`Remove prerequisite ${index + 1}`}
              onClick={() => onChange(prerequisites.filter((_, i) => i !== index))}
            >
              ×
            </button>
          </div>
        );
      })}
      <button type="button" className="btn btn-small btn-ghost" onClick={() => onChange([...prerequisites, { flag: '', variant: '' }])}>
        + Prerequisite
      </button>
    </div>
  );
};
