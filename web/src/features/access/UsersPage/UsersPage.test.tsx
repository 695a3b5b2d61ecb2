import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { User } from '../../../api/access';
import { renderWithClient, stubApi } from '../../../test/render';
import { UsersPage } from './UsersPage';

const admin: User = {
  id: 'u-admin',
  email: 'admin@sb.test',
  name: 'Ada Admin',
  role: 'admin',
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  twoFactor: false,
  singleSignOn: false,
};
const ann: User = {
  id: 'u-ann',
  email: 'ann@sb.test',
  name: 'Ann Analyst',
  role: 'viewer',
  disabled: false,
  createdAt: '2026-01-02T00:00:00.000Z',
  twoFactor: false,
  singleSignOn: false,
};

/** The users API over an in-memory list, so a confirmed change shows in the page as the server would answer it. */
const usersApi = () => {
  let users = [admin, ann];
  const calls = stubApi((method, path, body) => {
    if (method === 'GET' && path === '/auth/me') return { status: 200, body: { kind: 'user', name: admin.name, role: 'admin', user: admin } };
    if (method === 'GET' && path === '/users') return { status: 200, body: users };
    if (method === 'PATCH' && path === `/users/${ann.id}`) {
      users = users.map((u) => (u.id === ann.id ? { ...u, ...(body as Partial<User>) } : u));
      return { status: 200, body: users.find((u) => u.id === ann.id) };
    }
    return undefined;
  });
  return { calls, patches: () => calls.filter((c) => c.method === 'PATCH') };
};

describe('UsersPage', () => {
  it('asks before changing a role; Cancel leaves the old role selected and sends nothing', async () => {
    const { patches } = usersApi();
    renderWithClient(<UsersPage />);
    const role = await screen.findByRole('combobox', { name: 'Role of ann@sb.test' });
    await userEvent.selectOptions(role, 'admin');
    const dialog = screen.getByRole('dialog', { name: 'Change the role of Ann Analyst?' });
    expect(dialog.textContent).toContain('Ann Analyst (ann@sb.test) goes from viewer to admin');
    // Until confirmed, the page shows the user as they are.
    expect((role as HTMLSelectElement).value).toBe('viewer');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((role as HTMLSelectElement).value).toBe('viewer');
    expect(patches()).toHaveLength(0);
  });

  it('Escape cancels a role change too', async () => {
    const { patches } = usersApi();
    renderWithClient(<UsersPage />);
    const role = await screen.findByRole('combobox', { name: 'Role of ann@sb.test' });
    await userEvent.selectOptions(role, 'editor');
    await screen.findByRole('dialog');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((role as HTMLSelectElement).value).toBe('viewer');
    expect(patches()).toHaveLength(0);
  });

  it('changes the role once confirmed, and the select shows the new one', async () => {
    const { patches } = usersApi();
    renderWithClient(<UsersPage />);
    const role = await screen.findByRole('combobox', { name: 'Role of ann@sb.test' });
    await userEvent.selectOptions(role, 'editor');
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Make editor' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(patches().map((c) => c.body)).toEqual([{ role: 'editor' }]);
    await waitFor(() => expect((role as HTMLSelectElement).value).toBe('editor'));
  });

  it('asks before disabling a user; Cancel leaves them active', async () => {
    const { patches } = usersApi();
    renderWithClient(<UsersPage />);
    const active = await screen.findByRole('switch', { name: 'ann@sb.test may sign in' });
    await userEvent.click(active);
    const dialog = screen.getByRole('dialog', { name: 'Disable Ann Analyst?' });
    expect(dialog.textContent).toContain('Ann Analyst (ann@sb.test) can no longer sign in');
    // A dangerous change starts on Cancel: Enter alone does not disable.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await userEvent.keyboard('{Enter}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((active as HTMLInputElement).checked).toBe(true);
    expect(patches()).toHaveLength(0);
  });

  it('disables a user once confirmed; enabling again needs no confirmation', async () => {
    const { patches } = usersApi();
    renderWithClient(<UsersPage />);
    const active = await screen.findByRole('switch', { name: 'ann@sb.test may sign in' });
    await userEvent.click(active);
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Disable user' }));
    await waitFor(() => expect((active as HTMLInputElement).checked).toBe(false));
    await userEvent.click(active);
    await waitFor(() => expect((active as HTMLInputElement).checked).toBe(true));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(patches().map((c) => c.body)).toEqual([{ disabled: true }, { disabled: false }]);
  });

  it("keeps the dialog open with the server's reason when the change is refused", async () => {
    stubApi((method, path) => {
      if (method === 'GET' && path === '/auth/me') return { status: 200, body: { kind: 'user', name: admin.name, role: 'admin', user: admin } };
      if (method === 'GET' && path === '/users') return { status: 200, body: [admin, ann] };
      if (method === 'PATCH') return { status: 409, body: { error: 'CONFLICT', message: 'the last admin cannot be demoted' } };
      return undefined;
    });
    renderWithClient(<UsersPage />);
    await userEvent.selectOptions(await screen.findByRole('combobox', { name: 'Role of ann@sb.test' }), 'admin');
    await userEvent.click(screen.getByRole('button', { name: 'Make admin' }));
    const dialog = screen.getByRole('dialog');
    expect((await within(dialog).findByRole('alert')).textContent).toBe('the last admin cannot be demoted');
  });
});
