import type { ChangeRequestCreated } from '../../../api/changeRequests';
import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type FlagConfigView, type FlagView, useSaveFlagConfig } from '../../../api/flags';
import type { EnvironmentView } from '../../../api/projects';
import { type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';
import { conflictingFields, type EditableConfig, toEditable } from '../flagConfig';

/**
 * The two configs a copy was reviewed against, frozen when the pair was chosen: the write carries
 * exactly the source shown, based on the target version shown, so a change to either side after the
 * review is never copied or overwritten unseen.
 */
export interface ReviewedCopy {
  source: FlagConfigView;
  target: FlagConfigView;
}

export interface CopyConflict {
  current: FlagConfigView;
  conflicting: string[];
}

const review = (flag: FlagView, source: string, target: string): ReviewedCopy | null => {
  const from = flag.environments[source];
  const to = flag.environments[target];
  return from && to && source !== target ? { source: from, target: to } : null;
};

/** What a copy writes: everything the targeting editor edits. The kill is the kill switch's, and stays as it is. */
export const copiedConfig = (source: FlagConfigView): EditableConfig => toEditable(source);

/**
 * Copying one environment's config over another's as one versioned write (PUT with the target's
 * version): pick the pair, review the diff, give a reason, copy. A 409 becomes a conflict to review
 * again, never an overwrite.
 */
export const useCopyConfig = ({
  project,
  flag,
  environments,
  initialSource,
  initialTarget,
}: {
  project: string;
  flag: FlagView;
  environments: EnvironmentView[];
  initialSource: string;
  initialTarget: string;
}) => {
  const [sourceKey, setSourceKey] = useState(initialSource);
  const [targetKey, setTargetKey] = useState(initialTarget);
  const [reviewed, setReviewed] = useState<ReviewedCopy | null>(() => review(flag, initialSource, initialTarget));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<CopyConflict | null>(null);
  const [saving, setSaving] = useState(false);
  const save = useSaveFlagConfig(project, flag.key, targetKey);
  const target = environments.find((e) => e.key === targetKey);

  const choose = (source: string, target: string) => {
    setSourceKey(source);
    setTargetKey(target);
    setReviewed(review(flag, source, target));
    setConflict(null);
    setErrors({});
    setFormError(null);
  };

  /** Sides that the page, kept live, shows newer than what was reviewed. */
  const changedSince = reviewed
    ? (['source', 'target'] as const).filter((side) => {
        const live = flag.environments[side === 'source' ? sourceKey : targetKey];
        return live !== undefined && live.version !== reviewed[side].version;
      })
    : [];

  const submit = async (): Promise<FlagConfigView | ChangeRequestCreated | null> => {
    if (!reviewed || conflict) return null;
    setFormError(null);
    const found: FieldErrors = {};
    if (target?.requireChangeReason && reason.trim() === '') found.reason = [`${target.name} requires a reason for every change`];
    setErrors(found);
    if (Object.keys(found).length > 0) return null;
    setSaving(true);
    try {
      return await save.mutateAsync({ ...copiedConfig(reviewed.source), version: reviewed.target.version, reason: reason.trim() || undefined });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VERSION_CONFLICT') {
        const current = (error.details as { current: FlagConfigView }).current;
        setConflict({
          current,
          conflicting: conflictingFields(toEditable(reviewed.target), copiedConfig(reviewed.source), toEditable(current)),
        });
      } else {
        if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
        setFormError(errorMessage(error));
      }
      return null;
    } finally {
      setSaving(false);
    }
  };

  /** After a conflict or a live change: review the copy again against what each side holds now. */
  const reviewAgain = () => {
    const current = review(flag, sourceKey, targetKey);
    // The 409's copy of the target may be newer than the page's.
    if (current && conflict && conflict.current.version > current.target.version) current.target = conflict.current;
    setReviewed(current);
    setConflict(null);
  };

  return {
    sourceKey,
    targetKey,
    target,
    choose,
    reviewed,
    changedSince,
    reason,
    setReason,
    errors,
    formError,
    conflict,
    saving,
    submit,
    reviewAgain,
  };
};

export type CopyConfigForm = ReturnType<typeof useCopyConfig>;
