import { useState } from 'react';
import { useBeginTwoFactor, useConfirmTwoFactor, useDisableTwoFactor } from '../authApi';

/** The enrolment form's state: the secret being set up, the code typed, and the recovery codes once confirmed. */
export const useTwoFactorEnrolment = () => {
  const begin = useBeginTwoFactor();
  const confirm = useConfirmTwoFactor();
  const disable = useDisableTwoFactor();
  const [code, setCode] = useState('');
  const codeValid = /^\d{6}$/.test(code.trim());
  return {
    enrolment: begin.data,
    recoveryCodes: confirm.data?.recoveryCodes,
    code,
    setCode,
    codeValid,
    start: () => {
      confirm.reset();
      setCode('');
      begin.mutate();
    },
    confirm: () => confirm.mutate(code.trim(), { onSuccess: () => setCode('') }),
    disable: () => disable.mutate(code.trim(), { onSuccess: () => (setCode(''), begin.reset(), confirm.reset()) }),
    /** The recovery codes were saved: back to the status. */
    dismissCodes: () => (begin.reset(), confirm.reset()),
    pending: begin.isPending || confirm.isPending || disable.isPending,
    error: begin.error ?? confirm.error ?? disable.error,
  };
};
