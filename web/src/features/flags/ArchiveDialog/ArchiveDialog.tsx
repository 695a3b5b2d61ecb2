import type { FormEvent } from 'react';
import { Dialog } from '../../../components/common/Dialog';
import { Field } from '../../../components/common/Field';
import { errorsFor } from '../../../components/common/fieldErrors';
import { useArchiveForm } from './useArchiveForm';
import { FormActions } from '../../../components/common/FormActions';

export type ArchiveAction = 'archive' | 'unarchive' | 'delete';

const COPY: Record<ArchiveAction, { title: string; explanation: string; submit: string; tone: 'default' | 'danger' }> = {
  archive: {
    title: 'Archive',
    explanation:
      'Every SDK stops receiving this flag: evaluations answer FLAG_NOT_FOUND and serve the default value in the code. Its config is kept, and unarchiving brings it back as it was.',
    submit: 'Archive flag',
    tone: 'danger',
  },
  unarchive: {
    title: 'Unarchive',
    explanation: 'SDKs receive this flag again, with the config it had in each environment when it was archived.',
    submit: 'Unarchive flag',
    tone: 'default',
  },
  delete: {
    title: 'Delete',
    explanation: 'The flag and its config in every environment are deleted for good; this cannot be undone. The audit log keeps its history.',
    submit: 'Delete for good',
    tone: 'danger',
  },
};

/** Confirms archiving, unarchiving or deleting a flag, with an optional reason for the audit log. */
export const ArchiveDialog = ({
  action,
  flagKey,
  onSubmit,
  onClose,
}: {
  action: ArchiveAction;
  flagKey: string;
  onSubmit: (reason: string | undefined) => Promise<unknown>;
  onClose: () => void;
}) => {
  const copy = COPY[action];
  const form = useArchiveForm({ confirmKey: action === 'delete' ? flagKey : null, onSubmit });
  const handle = async (e: FormEvent) => {
    e.preventDefault();
    if (await form.submit()) onClose();
  };
  return (
    <Dialog title={`${copy.title} ${flagKey}`} onClose={onClose} tone={copy.tone} dirty={form.dirty}>
      <form onSubmit={(e) => void handle(e)} noValidate className="archive-form">
        <p>{copy.explanation}</p>
        {action === 'delete' && (
          <Field path="confirmKey" label={`Type ${flagKey} to confirm`} messages={errorsFor(form.errors, 'confirmKey')}>
            {(p) => <input {...p} value={form.typedKey} autoComplete="off" spellCheck={false} onChange={(e) => form.setTypedKey(e.target.value)} />}
          </Field>
        )}
        <Field path="reason" label="Reason (optional)" messages={errorsFor(form.errors, 'reason')}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={form.reason}
              maxLength={1000}
              placeholder="e.g. fully rolled out in 2.4; code path removed"
              onChange={(e) => form.setReason(e.target.value)}
            />
          )}
        </Field>
        <FormActions
          error={form.formError}
          onCancel={onClose}
          submitLabel={copy.submit}
          submitting={form.submitting}
          disabled={!form.confirmed}
          danger={copy.tone === 'danger'}
        />
      </form>
    </Dialog>
  );
};
