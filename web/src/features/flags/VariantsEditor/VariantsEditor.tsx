import type { FlagKind } from '@signalbox/sdk/core';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors } from '../../../components/common/fieldErrors';
import { nextVariantKey, type VariantDraft } from '../flagDetails';

const PLACEHOLDER: Record<FlagKind, string> = { boolean: '', string: 'model-v2', number: '0.25', json: '{"model": "v2"}' };

/** One input of a variant row, with the messages the API or the form gave for it. */
const VariantInput = ({
  index,
  field,
  variant,
  errors,
  multiline = false,
  placeholder,
  onChange,
}: {
  index: number;
  field: keyof VariantDraft;
  variant: VariantDraft;
  errors: FieldErrors;
  multiline?: boolean;
  placeholder?: string;
  onChange: (text: string) => void;
}) => {
  const path = `variants[${index}].${field}`;
  const messages = errorsFor(errors, path);
  const props = {
    'aria-label': `Variant ${index + 1} ${field}`,
    value: variant[field] ?? '',
    placeholder,
    ...describedBy(path, messages),
  };
  return (
    <div className={`variant-cell variant-${field}`}>
      {multiline ? (
        <textarea {...props} className="code" rows={Math.min(6, props.value.split('\n').length)} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...props} onChange={(e) => onChange(e.target.value)} />
      )}
      <FieldMessage path={path} messages={messages} />
    </div>
  );
};

/**
 * The variants of a flag: key and value, and with `detailed` a display name and description.
 * A boolean flag always has exactly its true and false variants, so only their labels change.
 */
export const VariantsEditor = ({
  kind,
  variants,
  errors,
  detailed = false,
  hint,
  onChange,
}: {
  kind: FlagKind;
  variants: VariantDraft[];
  errors: FieldErrors;
  detailed?: boolean;
  hint?: string;
  onChange: (variants: VariantDraft[]) => void;
}) => {
  const fixedSet = kind === 'boolean';
  const set = (index: number, change: Partial<VariantDraft>) => onChange(variants.map((v, i) => (i === index ? { ...v, ...change } : v)));
  return (
    <fieldset className={`variants-editor${detailed ? ' variants-detailed' : ''}`}>
      <legend>Variants</legend>
      {hint && <p className="muted small variants-hint">{hint}</p>}
      <div className="variant-row variant-head" aria-hidden="true">
        <span>Key</span>
        <span>Value ({kind})</span>
        {detailed && <span>Name</span>}
        {detailed && <span>Description</span>}
      </div>
      {variants.map((variant, i) => (
        <div key={i} className="variant-row">
          <VariantInput index={i} field="key" variant={variant} errors={errors} onChange={(key) => set(i, { key })} />
          {fixedSet ? (
            <div className="variant-cell variant-value">
              <code aria-label={`Variant ${i + 1} value`}>{variant.value}</code>
            </div>
          ) : (
            <VariantInput
              index={i}
              field="value"
              variant={variant}
              errors={errors}
              multiline={kind === 'json'}
              placeholder={PLACEHOLDER[kind]}
              onChange={(value) => set(i, { value })}
            />
          )}
          {detailed && <VariantInput index={i} field="name" variant={variant} errors={errors} onChange={(name) => set(i, { name })} />}
          {detailed && <VariantInput index={i} field="description" variant={variant} errors={errors} onChange={(description) => set(i, { description })} />}
          {!fixedSet && (
            <button type="button" className="btn-icon" aria-label={`Remove variant ${i + 1}`} onClick={() => onChange(variants.filter((_, j) => j !== i))}>
              ×
            </button>
          )}
        </div>
      ))}
      <FieldMessage path="variants" messages={errorsFor(errors, 'variants')} />
      {!fixedSet && (
        <button type="button" className="btn btn-small btn-ghost" onClick={() => onChange([...variants, { key: nextVariantKey(variants), value: '' }])}>
          + Variant
        </button>
      )}
    </fieldset>
  );
};
