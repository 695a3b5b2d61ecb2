import { useState } from 'react';
import type { User } from '../../../api/access';
import { errorMessage } from '../../../api/client';
import { Badge } from '../../../components/common/Badge';
import { ConfirmDialog } from '../../access/ConfirmDialog/ConfirmDialog';
import { useResetTwoFactor } from '../authApi';

/** In the users list: how a user signs in (single sign-on, or with a second factor), and an admin's reset of that factor. */
export const UserSecondFactor = ({ user }: { user: User }) => {
  const reset = useResetTwoFactor();
  const [confirming, setConfirming] = useState(false);
  if (user.singleSignOn) return <Badge tone="neutral">single sign-on</Badge>;
  if (!user.twoFactor) return null;
  return (
    <>
      <Badge tone="info">two-factor</Badge>{' '}
      <button type="button" className="btn btn-small" aria-label={`Reset the second factor of ${user.email}`} onClick={() => setConfirming(true)}>
        Reset 2FA
      </button>
      {reset.isError && <p className="form-error">{errorMessage(reset.error)}</p>}
      {confirming && (
        <ConfirmDialog
          title={`Reset the second factor of ${user.name}?`}
          confirmLabel="Reset"
          onConfirm={() => reset.mutateAsync(user.id)}
          onClose={() => setConfirming(false)}
        >
          <p>
            {user.email} then signs in with the password alone, and can set up two-factor sign-in again. Do this when they lost their authenticator app and
            their recovery codes.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
};
