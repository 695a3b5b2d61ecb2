import { fieldId } from './fieldErrors';

/** Validation messages beside the input they name; inputs point here with aria-describedby. */
export const FieldMessage = ({ path, messages }: { path: string; messages: string[] }) =>
  messages.length === 0 ? null : (
    <p className="field-error" id={`${fieldId(path)}-error`} data-field={path}>
      {messages.join('; ')}
    </p>
  );

export const describedBy = (path: string, messages: string[]) =>
  messages.length > 0 ? { 'aria-describedby': `${fieldId(path)}-error`, 'aria-invalid': true as const } : {};
