import { type FormEvent, useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { useLogin } from '../../../api/auth';
import { ThemeToggle } from '../../shell/ThemeToggle/ThemeToggle';
import { useSignInOptions } from '../authApi';

/** The server asks for a second factor: a 401 naming it, after a right password. */
const asksForSecondFactor = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 401 && typeof error.details === 'object' && error.details !== null && 'secondFactor' in error.details;

export const LoginPage = () => {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<'password' | 'code'>('password');
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const login = useLogin();
  const options = useSignInOptions();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const secondFactor = step === 'password' ? {} : useRecovery ? { recoveryCode: code.trim() } : { code: code.trim() };
    login.mutate(
      { email, password, ...secondFactor },
      {
        onError: (error) => {
          // The first answer that asks for the code is the next step, not an error to show.
          if (step === 'password' && asksForSecondFactor(error)) {
            setStep('code');
            login.reset();
          }
        },
      },
    );
  };
  const restart = () => {
    setStep('password');
    setCode('');
    setUseRecovery(false);
    login.reset();
  };
  const provider = options.data?.oidcProvider;
  return (
    <main className="login-screen">
      <ThemeToggle className="login-theme" />
      <form className="card login" onSubmit={submit} aria-label="Sign in">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            ◉
          </span>{' '}
          Signalbox
        </div>
        <p className="muted">Feature flags for data pipelines and model rollouts.</p>
        {step === 'password' ? (
          <>
            <label htmlFor="login-email">Email</label>
            <input id="login-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required />
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="current-password"
              required
            />
          </>
        ) : (
          <>
            <p>Two-factor sign-in is on for {email}.</p>
            <label htmlFor="login-code">{useRecovery ? 'Recovery code' : 'Code from your authenticator app'}</label>
            <input
              id="login-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="one-time-code"
              inputMode={useRecovery ? 'text' : 'numeric'}
              pattern={useRecovery ? undefined : '\\d{6}'}
              maxLength={useRecovery ? 64 : 6}
              placeholder={useRecovery ? 'xxxx-xxxx-xxxx-xxxx' : '123456'}
              autoFocus
              required
            />
            <button type="button" className="btn btn-small btn-ghost" onClick={() => (setUseRecovery(!useRecovery), setCode(''))}>
              {useRecovery ? 'Use a code from the app instead' : 'Use a recovery code instead'}
            </button>
          </>
        )}
        {login.isError && (
          <p role="alert" className="form-error">
            {errorMessage(login.error)}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : step === 'password' ? 'Sign in' : 'Verify'}
        </button>
        {step === 'code' && (
          <button type="button" className="btn btn-small btn-ghost" onClick={restart}>
            Back
          </button>
        )}
        {provider && step === 'password' && (
          <a className="btn" href={options.data!.oidcStartPath}>
            Sign in with {provider}
          </a>
        )}
      </form>
    </main>
  );
};
