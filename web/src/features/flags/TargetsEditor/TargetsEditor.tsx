import { useState } from 'react';
import type { Target, Variant } from '@signalbox/sdk/core';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { errorsFor, type FieldErrors } from '../../../components/common/fieldErrors';
import { splitList } from '../../../components/common/format';

const TargetInput = ({
  variant,
  values,
  onChange,
  messages,
  path,
}: {
  variant: string;
  values: string[];
  onChange: (values: string[]) => void;
  messages: string[];
  path: string;
}) => {
  const [text, setText] = useState(values.join(', '));
  const shown = JSON.stringify(splitList(text)) === JSON.stringify(values) ? text : values.join(', ');
  return (
    <label className="target">
      <span>
        Serve <strong>{variant}</strong> to
      </span>
      <textarea
        rows={1}
        placeholder="targetingKeys, comma-separated"
        value={shown}
        onChange={(e) => {
          setText(e.target.value);
          onChange(splitList(e.target.value));
        }}
        {...describedBy(path, messages)}
      />
      <FieldMessage path={path} messages={messages} />
    </label>
  );
};

/** Individual targets: these context keys get a variant before any rule is looked at. */
export const TargetsEditor = ({
  targets,
  variants,
  errors,
  onChange,
}: {
  targets: Target[];
  variants: Variant[];
  errors: FieldErrors;
  onChange: (targets: Target[]) => void;
}) => (
  <div className="targets">
    {variants.map((variant) => {
      const index = targets.findIndex((t) => t.variant === variant.key);
      const path = index < 0 ? `targets[${targets.length}].values` : `targets[${index}].values`;
      return (
        <TargetInput
          key={variant.key}
          variant={variant.key}
          path={path}
          messages={index < 0 ? [] : errorsFor(errors, path)}
          values={targets[index]?.values ?? []}
          onChange={(values) => {
            const rest = targets.filter((t) => t.variant !== variant.key);
            const next = values.length === 0 ? rest : [...rest, { variant: variant.key, values }];
            // Keep the flag's variant order so the saved config does not churn.
            onChange(variants.flatMap((v) => next.filter((t) => t.variant === v.key)));
          }}
        />
      );
    })}
  </div>
);
