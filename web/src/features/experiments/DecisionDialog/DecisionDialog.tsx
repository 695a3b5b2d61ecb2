import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { Dialog } from '../../../components/common/Dialog';
import { FormActions } from '../../../components/common/FormActions';

/** The sample-ratio check as the results and the server's SAMPLE_RATIO_MISMATCH refusal carry it. */
export interface SampleRatioMismatch {
  observed: number[];
  expected: number[];
  pValue: number;
  mismatch: boolean;
}

const percentages = (counts: number[]): string => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => `${total > 0 ? ((100 * c) / total).toFixed(1) : '0.0'}%`).join(' / ');
};

/** The mismatch a 409 from promote names, when that is why it refused. */
const mismatchOf = (err: unknown): SampleRatioMismatch | null => {
  if (!(err instanceof ApiError) || err.status !== 409) return null;
  const details = err.details as { code?: unknown; sampleRatio?: SampleRatioMismatch } | undefined;
  return details?.code === 'SAMPLE_RATIO_MISMATCH' && details.sampleRatio ? details.sampleRatio : null;
};

/**
 * Confirms promoting a variant to 100%, rolling back to control or stopping without a decision, with an optional reason for the audit log.
 * On a sample-ratio mismatch, promoting a treatment needs an explicit override and a reason (the server refuses it otherwise).
 */
export const DecisionDialog = ({
  mode,
  experimentKey,
  control,
  treatments,
  recommendedWinner,
  sampleRatio = null,
  onSubmit,
  onClose,
}: {
  mode: 'promote' | 'rollback' | 'stop';
  experimentKey: string;
  control: string;
  treatments: string[];
  recommendedWinner: string | null;
  sampleRatio?: SampleRatioMismatch | null;
  onSubmit: (input: { variant?: string; reason?: string; overrideSrm?: boolean }) => Promise<unknown>;
  onClose: () => void;
}) => {
  const promote = mode === 'promote';
  const [variant, setVariant] = useState(recommendedWinner ?? treatments[0] ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [refusedFor, setRefusedFor] = useState<SampleRatioMismatch | null>(null);
  const [override, setOverride] = useState(false);
  const mismatch = refusedFor ?? (sampleRatio?.mismatch ? sampleRatio : null);
  // Control to 100% is a rollback in effect: the server lets it through a mismatch.
  const needsOverride = promote && mismatch !== null && variant !== control;
  const blocked = needsOverride && (!override || reason.trim() === '');
  const handle = async (e: FormEvent) => {
    e.preventDefault();
    if (blocked) return;
    setSubmitting(true);
    setError(null);
    try {
      await onSubmit({ ...(promote ? { variant } : {}), ...(needsOverride ? { overrideSrm: true } : {}), reason: reason.trim() || undefined });
      onClose();
    } catch (err) {
      const refused = mismatchOf(err);
      if (refused) setRefusedFor(refused);
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
        {needsOverride && (
          <div className="banner banner-danger" role="alert" aria-label="Sample ratio mismatch">
            <p>
              <strong>Sample ratio mismatch.</strong> The variants received {percentages(mismatch.observed)} of the traffic where the rollout promises{' '}
              {percentages(mismatch.expected)} ({mismatch.observed.join(' : ')} observations, χ² p = {mismatch.pValue.toExponential(2)}). Something loses or
              misroutes traffic, so these results cannot be trusted and promote is refused.
            </p>
            <label className="checkbox-inline">
              <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> Promote {variant} despite the sample ratio mismatch
            </label>
          </div>
        )}
        <label htmlFor="decision-reason" className="field-label">
          {needsOverride ? 'Reason (required to override the mismatch)' : 'Reason (optional)'}
        </label>
        <textarea
          id="decision-reason"
          rows={3}
          value={reason}
          maxLength={1000}
          required={needsOverride}
          placeholder="e.g. v2 converts 4 pp better, p < 0.001"
          onChange={(e) => setReason(e.target.value)}
        />
        <FormActions
          error={error}
          onCancel={onClose}
          submitLabel={promote ? `Promote ${variant}` : mode === 'stop' ? 'Stop experiment' : `Roll back to ${control}`}
          submitting={submitting}
          disabled={blocked}
          danger={mode === 'rollback'}
        />
      </form>
    </Dialog>
  );
};
