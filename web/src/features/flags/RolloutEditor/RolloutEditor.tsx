import type { Rollout, Variant } from '@signalbox/sdk/core';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors, fieldId } from '../../../components/common/fieldErrors';
import { RolloutBar } from '../../../components/common/RolloutBar';
import { formatPercent, variantColor } from '../../../components/common/rolloutSegments';
import { completeRollout, setWeight, TOTAL_WEIGHT, totalWeight } from './rolloutWeights';

export const RolloutEditor = ({
  rollout,
  variants,
  onChange,
  path,
  errors,
  label,
}: {
  rollout: Rollout;
  variants: Variant[];
  onChange: (rollout: Rollout) => void;
  path: string;
  errors: FieldErrors;
  label: string;
}) => {
  const complete = completeRollout(rollout, variants);
  const total = totalWeight(complete);
  const first = complete.variants[0];
  const totalMessages = errorsFor(errors, `${path}.variants`);
  return (
    <div className="rollout-editor">
      <RolloutBar rollout={complete} variants={variants} />
      {complete.variants.length === 2 && first && (
        <label className="rollout-slider">
          <span>
            {label}: {first.variant} share
          </span>
          <input
            type="range"
            min={0}
            max={100}
            step={1}
            value={first.weight / 1000}
            onChange={(e) => onChange(setWeight(complete, 0, Number(e.target.value)))}
          />
        </label>
      )}
      <div className="rollout-weights">
        {complete.variants.map((weighted, index) => {
          const inputPath = `${path}.variants[${index}].weight`;
          const messages = errorsFor(errors, inputPath);
          return (
            <div className="rollout-weight" key={weighted.variant}>
              <label htmlFor={fieldId(`${label}-${inputPath}`)}>
                <span className="swatch" style={{ background: variantColor(variants, weighted.variant) }} aria-hidden="true" />
                {weighted.variant}
              </label>
              <div className="input-suffix">
                <input
                  id={fieldId(`${label}-${inputPath}`)}
                  type="number"
                  min={0}
                  max={100}
                  step={0.1}
                  aria-label={`${label}: ${weighted.variant} %`}
                  value={weighted.weight / 1000}
                  onChange={(e) => onChange(setWeight(complete, index, e.target.valueAsNumber || 0))}
                  {...describedBy(inputPath, messages)}
                />
                <span aria-hidden="true">%</span>
              </div>
              <FieldMessage path={inputPath} messages={messages} />
            </div>
          );
        })}
        <div className="rollout-weight">
          <label htmlFor={fieldId(`${label}-${path}.bucketBy`)}>bucket by</label>
          <input
            id={fieldId(`${label}-${path}.bucketBy`)}
            aria-label={`${label}: bucket by attribute`}
            placeholder="targetingKey"
            value={complete.bucketBy ?? ''}
            onChange={(e) => onChange({ ...complete, bucketBy: e.target.value || undefined })}
          />
        </div>
      </div>
      <p className={`rollout-total${total === TOTAL_WEIGHT ? '' : ' field-error'}`} aria-live="polite">
        Total {formatPercent(total / 1000)}
        {total !== TOTAL_WEIGHT && ' — weights must add up to 100%'}
      </p>
      <FieldMessage path={`${path}.variants`} messages={totalMessages} />
    </div>
  );
};
