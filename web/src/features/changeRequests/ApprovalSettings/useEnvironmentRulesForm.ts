import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { approvalOf, type EnvironmentView, useUpdateEnvironment } from '../../../api/projects';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';

export const MAX_APPROVALS = 10;

interface Rules {
  requireChangeReason: boolean;
  requireApproval: boolean;
  /** As typed: validated on save. */
  requiredApprovals: string;
}

const rulesOf = (environment: EnvironmentView): Rules => {
  const { requireApproval, requiredApprovals } = approvalOf(environment);
  return { requireChangeReason: environment.requireChangeReason, requireApproval, requiredApprovals: String(requiredApprovals) };
};

/** The rules of one environment (admins): a reason for every change, and approval by N other people. */
export const useEnvironmentRulesForm = (project: string, environment: EnvironmentView) => {
  const update = useUpdateEnvironment(project);
  const saved = rulesOf(environment);
  const [values, setValues] = useState<Rules>(saved);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const dirty = (Object.keys(saved) as (keyof Rules)[]).some((name) => values[name] !== saved[name]);

  const set = <K extends keyof Rules>(name: K, value: Rules[K]) => {
    setValues((v) => ({ ...v, [name]: value }));
    // That field's messages go; the others' stay.
    setErrors((current) => withoutField(current, name));
    setDone(false);
  };

  const submit = async () => {
    const approvals = Number(values.requiredApprovals);
    if (!Number.isInteger(approvals) || approvals < 1 || approvals > MAX_APPROVALS) {
      setErrors({ requiredApprovals: [`a whole number from 1 to ${MAX_APPROVALS}`] });
      return;
    }
    setFormError(null);
    try {
      await update.mutateAsync({
        environment: environment.key,
        settings: { requireChangeReason: values.requireChangeReason, requireApproval: values.requireApproval, requiredApprovals: approvals },
      });
      setDone(true);
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(errorMessage(error));
    }
  };

  return { values, set, errors, formError, dirty, done, saving: update.isPending, submit, reset: () => setValues(saved) };
};
