/**
 * A metric name (or attribute) picked from what the SDKs reported, through a native combobox, or
 * typed in: a name never reported gets a warning under the field, never a refusal.
 */
export const MetricNameInput = ({
  inputProps,
  listId,
  value,
  options,
  warning,
  placeholder,
  maxLength,
  onChange,
}: {
  inputProps: Record<string, unknown>;
  listId: string;
  value: string;
  options: string[];
  warning: string | null;
  placeholder: string;
  maxLength: number;
  onChange: (value: string) => void;
}) => {
  const warningId = `${listId}-warning`;
  const describedBy = [inputProps['aria-describedby'], warning ? warningId : null].filter(Boolean).join(' ') || undefined;
  return (
    <>
      <input
        {...inputProps}
        aria-describedby={describedBy}
        list={listId}
        autoComplete="off"
        value={value}
        maxLength={maxLength}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId} data-testid={listId}>
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
      {warning && (
        <p className="small warn" id={warningId} role="status">
          {warning}
        </p>
      )}
    </>
  );
};
