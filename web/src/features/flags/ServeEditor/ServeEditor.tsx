import { useId } from 'react';
import type { Serve, Variant } from '@signalbox/sdk/core';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors } from '../../../components/common/fieldErrors';
import { RolloutEditor } from '../RolloutEditor/RolloutEditor';
import { rolloutFrom, variantFrom } from '../RolloutEditor/rolloutWeights';

/** What a rule or the default rule serves: one variant or a percentage rollout. */
export const ServeEditor = ({
  serve,
  variants,
  onChange,
  path,
  errors,
  label,
}: {
  serve: Serve;
  variants: Variant[];
  onChange: (serve: Serve) => void;
  path: string;
  errors: FieldErrors;
  label: string;
}) => {
  const name = useId();
  const isRollout = 'rollout' in serve;
  const variantMessages = errorsFor(errors, `${path}.variant`);
  return (
    <div className="serve-editor">
      <div role="radiogroup" aria-label={`${label}: serve`} className="segmented">
        <label className={!isRollout ? 'active' : ''}>
          <input type="radio" name={name} checked={!isRollout} onChange={() => onChange({ variant: variantFrom(serve, variants) })} />A variant
        </label>
        <label className={isRollout ? 'active' : ''}>
          <input type="radio" name={name} checked={isRollout} onChange={() => onChange({ rollout: rolloutFrom(serve, variants) })} />A percentage rollout
        </label>
      </div>
      {'variant' in serve ? (
        <div className="field-inline">
          <select
            aria-label={`${label}: variant`}
            value={serve.variant}
            onChange={(e) => onChange({ variant: e.target.value })}
            {...describedBy(`${path}.variant`, variantMessages)}
          >
            {variants.map((v) => (
              <option key={v.key} value={v.key}>
                {v.key} ({JSON.stringify(v.value)})
              </option>
            ))}
          </select>
          <FieldMessage path={`${path}.variant`} messages={variantMessages} />
        </div>
      ) : (
        <RolloutEditor
          rollout={serve.rollout}
          variants={variants}
          onChange={(rollout) => onChange({ rollout })}
          path={`${path}.rollout`}
          errors={errors}
          label={label}
        />
      )}
    </div>
  );
};
