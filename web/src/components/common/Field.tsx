import type { ReactNode } from 'react';
import { describedBy, FieldMessage } from './FieldMessage';
import { fieldId } from './fieldErrors';

/** A labelled input with its validation messages; the input gets the id and aria attributes from `children`. */
export const Field = ({
  path,
  label,
  messages,
  className = '',
  children,
}: {
  path: string;
  label: string;
  messages: string[];
  className?: string;
  children: (props: Record<string, unknown>) => ReactNode;
}) => (
  <div className={`field ${className}`.trim()}>
    <label htmlFor={fieldId(path)}>{label}</label>
    {children({ id: fieldId(path), ...describedBy(path, messages) })}
    <FieldMessage path={path} messages={messages} />
  </div>
);
