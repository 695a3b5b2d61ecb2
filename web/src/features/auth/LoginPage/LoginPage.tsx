import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../api/client';
import { useLogin } from '../../../api/auth';
import { ThemeToggle } from '../../shell/ThemeToggle/ThemeToggle';

export const LoginPage = () => {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useLogin();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email, password });
  };
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
        <label htmlFor="login-email">Email</label>
        <input id="login-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required />
        <label htmlFor="login-password">Password</label>
        <input id="login-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        {login.isError && (
          <p role="alert" className="form-error">
            {errorMessage(login.error)}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
};
