import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWithClient, stubApi } from '../../../test/render';
import { LoginPage } from './LoginPage';

const ASK = { error: 'UNAUTHENTICATED', message: 'Enter the 6-digit code from your authenticator app, or a recovery code', details: { secondFactor: 'totp' } };
const WRONG = { error: 'UNAUTHENTICATED', message: 'The code is wrong or was already used', details: { secondFactor: 'totp' } };

/** A server whose user has two-factor sign-in: the password alone is answered with the question for the code. */
const server = (oidcProvider: string | null = null) =>
  stubApi((method, path, body) => {
    if (path === '/auth/sign-in-options') return { status: 200, body: { oidcProvider, oidcStartPath: '/api/v1/auth/oidc/start' } };
    if (path === '/auth/me') return { status: 401, body: { error: 'UNAUTHENTICATED', message: 'Sign in' } };
    if (method === 'POST' && path === '/auth/login') {
      const { code, recoveryCode } = body as { code?: string; recoveryCode?: string };
      if (code === undefined && recoveryCode === undefined) return { status: 401, body: ASK };
      if (code === '123456' || recoveryCode === 'abcd-efgh-ijkl-mnop')
        return { status: 200, body: { token: 'sbs_x', expiresAt: '2030-01-01T00:00:00Z', user: {} } };
      return { status: 401, body: WRONG };
    }
    return undefined;
  });

const signIn = async (user: ReturnType<typeof userEvent.setup>) => {
  await user.type(screen.getByLabelText('Email'), 'ada@example.com');
  await user.type(screen.getByLabelText('Password'), 'password-123');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
};

describe('LoginPage', () => {
  it('asks for the code after the password, without calling the question an error, then sends both', async () => {
    const calls = server();
    const user = userEvent.setup();
    renderWithClient(<LoginPage />);
    await signIn(user);
    const code = await screen.findByLabelText('Code from your authenticator app');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(code, '654321');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The code is wrong or was already used');
    await user.clear(code);
    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/auth/login').at(-1)?.body).toEqual({ email: 'ada@example.com', password: 'password-123', code: '123456' }),
    );
  });

  it('takes a recovery code instead', async () => {
    const calls = server();
    const user = userEvent.setup();
    renderWithClient(<LoginPage />);
    await signIn(user);
    await user.click(await screen.findByRole('button', { name: 'Use a recovery code instead' }));
    await user.type(screen.getByLabelText('Recovery code'), 'abcd-efgh-ijkl-mnop');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/auth/login').at(-1)?.body).toEqual({
        email: 'ada@example.com',
        password: 'password-123',
        recoveryCode: 'abcd-efgh-ijkl-mnop',
      }),
    );
  });

  it('offers "Sign in with" the OIDC provider when the server has one, and nothing when not', async () => {
    server('Acme SSO');
    const { unmount } = renderWithClient(<LoginPage />);
    expect((await screen.findByRole('link', { name: 'Sign in with Acme SSO' })).getAttribute('href')).toBe('/api/v1/auth/oidc/start');
    unmount();
    server(null);
    renderWithClient(<LoginPage />);
    await screen.findByRole('button', { name: 'Sign in' });
    await waitFor(() => expect(screen.queryByRole('link', { name: /Sign in with/ })).toBeNull());
  });
});
