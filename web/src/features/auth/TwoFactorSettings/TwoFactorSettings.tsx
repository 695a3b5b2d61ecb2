import { useQueryClient } from '@tanstack/react-query';
import { useLogout } from '../../../api/auth';
import { errorMessage } from '../../../api/client';
import { queryKeys } from '../../../api/queryKeys';
import { PageHeader } from '../../../components/common/PageHeader';
import { ErrorState, Loading } from '../../../components/common/StateViews';
import { groupedSecret, useTwoFactorStatus } from '../authApi';
import { useTwoFactorEnrolment } from './useTwoFactorEnrolment';

/** A user's own second factor: enrol (secret, otpauth link, first code), see recovery codes once, turn it off. */
export const TwoFactorSettings = () => {
  const status = useTwoFactorStatus();
  const form = useTwoFactorEnrolment();
  const client = useQueryClient();
  if (status.isPending) return <Loading />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const { enabled, required, recoveryCodesLeft } = status.data;
  const codeInput = (
    <>
      <label htmlFor="two-factor-code">Code from the app</label>
      <input
        id="two-factor-code"
        value={form.code}
        onChange={(e) => form.setCode(e.target.value)}
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        placeholder="123456"
      />
    </>
  );
  return (
    <section className="two-factor">
      <PageHeader
        title="Two-factor sign-in"
        description={
          required
            ? 'This server requires a code from an authenticator app after the password.'
            : 'Ask for a code from an authenticator app after the password.'
        }
      />
      {form.recoveryCodes ? (
        <div className="card" role="status">
          <p>
            <strong>Two-factor sign-in is on.</strong> Keep these recovery codes somewhere safe: each signs you in once without the app. They are shown only now
            and stored only as hashes.
          </p>
          <ul className="recovery-codes" aria-label="Recovery codes">
            {form.recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          {/* Only now may a console held back by the requirement open. */}
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              form.dismissCodes();
              void client.invalidateQueries({ queryKey: queryKeys.me });
            }}
          >
            I have saved them
          </button>
        </div>
      ) : enabled ? (
        <form
          className="card"
          aria-label="Turn off two-factor sign-in"
          onSubmit={(e) => {
            e.preventDefault();
            form.disable();
          }}
        >
          <p>
            Two-factor sign-in is <strong>on</strong>; {recoveryCodesLeft} recovery code{recoveryCodesLeft === 1 ? '' : 's'} left.
          </p>
          {!required && (
            <>
              {codeInput}
              <button type="submit" className="btn btn-danger" disabled={!form.codeValid || form.pending}>
                Turn off
              </button>
            </>
          )}
        </form>
      ) : form.enrolment ? (
        <form
          className="card"
          aria-label="Set up two-factor sign-in"
          onSubmit={(e) => {
            e.preventDefault();
            form.confirm();
          }}
        >
          <p>
            Add Signalbox to an authenticator app: open <a href={form.enrolment.otpauthUri}>this otpauth link</a> on the phone that has the app, or type this
            key into it:
          </p>
          <p>
            <code className="secret-value" aria-label="Setup key" data-secret>
              {groupedSecret(form.enrolment.secret)}
            </code>
          </p>
          <p className="muted">Then enter the 6-digit code the app shows.</p>
          {codeInput}
          <button type="submit" className="btn btn-primary" disabled={!form.codeValid || form.pending}>
            Turn on
          </button>
        </form>
      ) : (
        <div className="card">
          <p>Two-factor sign-in is off.</p>
          <button type="button" className="btn btn-primary" onClick={form.start} disabled={form.pending}>
            Set up
          </button>
        </div>
      )}
      {form.error && (
        <p role="alert" className="form-error">
          {errorMessage(form.error)}
        </p>
      )}
    </section>
  );
};

/** The whole console while SIGNALBOX_REQUIRE_TWO_FACTOR holds a user back: enrol, or sign out. */
export const TwoFactorRequired = () => {
  const logout = useLogout();
  return (
    <main className="content two-factor-required">
      <TwoFactorSettings />
      <button type="button" className="btn btn-ghost" onClick={() => logout.mutate()}>
        Sign out
      </button>
    </main>
  );
};
