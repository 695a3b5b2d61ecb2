import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../api/client';
import { Dialog } from '../../../components/common/Dialog';
import { FormActions } from '../../../components/common/FormActions';

/** Confirms promoting a variant to 100%, rolling back to control or stopping without a decision, with an optional reason for the audit log. */
export const DecisionDialog = ({
  mode,
  experimentKey,
  control,
  treatments,
  recommendedWinner,
  onSubmit,
  onClose,
}: {
  mode: 'promote' | 'rollback' | 'stop';
  experimentKey: string;
  control: string;
  treatments: string[];
  recommendedWinner: string | null;
  onSubmit: (input: { variant?: string; reason?: string }) => Promise<unknown>;
  onClose: () => void;
}) => {
  const promote = mode === 'promote';
  const [variant, setVariant] = useState(recommendedWinner ?? treatments[0] ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const handle = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      await onSubmit({ ...(promote ? { variant } : {}), reason: reason.trim() || undefined });
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };
  return (
    <Dialog
      title={promote ? `Promote a variant of ${experimentKey}` : mode === 'stop' ? `Stop ${experimentKey} without a decision` : `Roll back ${experimentKey}`}
      onClose={onClose}
      tone={mode === 'rollback' ? 'danger' : 'default'}
      dirty={reason.trim() !== '' || (promote && variant !== (recommendedWinner ?? treatments[0] ?? ''))}
    >
      <form onSubmit={(e) => void handle(e)} noValidate>
        <p>
          {promote
            ? 'The flag serves this variant to everyone in the experiment’s environment, and the experiment closes.'
            : mode === 'stop'
              ? 'The experiment closes and its results stop growing. The flag keeps serving what it serves now: nothing changes for anyone.'
              : `The flag serves the control variant ${control} to everyone in the experiment’s environment, and the experiment closes.`}
        </p>
        {promote && (
          <>
            <label htmlFor="decision-variant" className="field-label">
              Variant
            </label>
            <select id="decision-variant" value={variant} onChange={(e) => setVariant(e.target.value)}>
              {[control, ...treatments].map((v) => (
                <option key={v} value={v}>
                  {v}
                  {v === recommendedWinner ? ' (recommended)' : ''}
                </option>
              ))}
            </select>
          </>
        )}
        <label htmlFor="decision-reason" className="field-label">
          Reason (optional)
        </label>
        <textarea
          id="decision-reason"
          rows={3}
          value={reason}
          maxLength={1000}
          placeholder="e.g. v2 converts 4 pp better, p < 0.001"
          onChange={(e) => setReason(e.target.value)}
        />
        <FormActions
          error={error}
          onCancel={onClose}
          submitLabel={promote ? `Promote ${variant}` : mode === 'stop' ? 'Stop experiment' : `Roll back to ${control}`}
          submitting={submitting}
          danger={mode === 'rollback'}
        />
      </form>
    </Dialog>
  );
};
