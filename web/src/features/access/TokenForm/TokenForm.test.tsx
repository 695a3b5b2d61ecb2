import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import { renderWithClient, stubApi } from '../../../test/render';
import { TokenForm } from './TokenForm';

const env = (key: string, name: string) => ({ key, name, requireChangeReason: false, sdkKeyPrefix: null });
const projects = [
  { key: 'demo', name: 'Demo', description: '', environments: [env('production', 'Production'), env('staging', 'Staging')] },
  { key: 'ops', name: 'Ops', description: '', environments: [env('production', 'Production'), env('dr', 'Disaster recovery')] },
] as ProjectView[];

const issued = (body: unknown) => ({
  status: 201,
  body: {
    secret: 'sbt_SECRET',
    token: {
      id: 't1',
      prefix: 'sbt_SECR',
      createdBy: 'admin',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUsedAt: null,
      projects: null,
      environments: null,
      ...(body as object),
    },
  },
});

const posts = (calls: { method: string; path: string; body: unknown }[]) => calls.filter((c) => c.method === 'POST' && c.path === '/tokens');

describe('TokenForm', () => {
  it('creates a kill-switch token for all projects and environments by default, sending no limit', async () => {
    const calls = stubApi((method, path, body) => (method === 'POST' && path === '/tokens' ? issued(body) : undefined));
    renderWithClient(<TokenForm projects={projects} />);
    expect(screen.getByRole('radio', { name: 'All projects' })).toHaveProperty('checked', true);
    expect(screen.getByRole('radio', { name: 'All environments' })).toHaveProperty('checked', true);
    await userEvent.type(screen.getByLabelText('Name'), 'pagerduty');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByText('sbt_SECRET');
    expect(posts(calls).map((c) => c.body)).toEqual([{ name: 'pagerduty', access: 'kill-switch' }]);
  });

  it('limits a kill-switch token to the picked projects and to environments of those projects', async () => {
    const calls = stubApi((method, path, body) => (method === 'POST' && path === '/tokens' ? issued(body) : undefined));
    renderWithClient(<TokenForm projects={projects} />);
    await userEvent.type(screen.getByLabelText('Name'), 'pagerduty');
    await userEvent.click(screen.getByRole('radio', { name: 'Only these projects' }));
    await userEvent.click(screen.getByRole('checkbox', { name: /Ops/ }));
    await userEvent.click(screen.getByRole('radio', { name: 'Only these environments' }));
    const environments = screen.getByRole('group', { name: 'Environments the token is limited to' });
    // Only the chosen project's environments are offered.
    expect(
      within(environments)
        .getAllByRole('checkbox')
        .map((c) => c.parentElement?.textContent),
    ).toEqual(['Production', 'Disaster recoverydr']);
    await userEvent.click(within(environments).getByRole('checkbox', { name: /Disaster recovery/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByText('sbt_SECRET');
    expect(posts(calls).map((c) => c.body)).toEqual([{ name: 'pagerduty', access: 'kill-switch', projects: ['ops'], environments: ['dr'] }]);
    // The form is ready for the next token: all again.
    expect(screen.getByRole('radio', { name: 'All projects' })).toHaveProperty('checked', true);
  });

  it('offers no limit for a role token and says why, sending none even after one was picked', async () => {
    const calls = stubApi((method, path, body) => (method === 'POST' && path === '/tokens' ? issued(body) : undefined));
    renderWithClient(<TokenForm projects={projects} />);
    await userEvent.type(screen.getByLabelText('Name'), 'ci');
    await userEvent.click(screen.getByRole('radio', { name: 'Only these projects' }));
    await userEvent.click(screen.getByRole('checkbox', { name: /Demo/ }));
    await userEvent.selectOptions(screen.getByLabelText('Access'), 'editor');
    expect(screen.queryByRole('radio', { name: 'All projects' })).toBeNull();
    expect(screen.getByText(/Only kill-switch tokens can be limited to some projects and environments/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByText('sbt_SECRET');
    expect(posts(calls).map((c) => c.body)).toEqual([{ name: 'ci', access: 'editor' }]);
  });

  it('asks for at least one project when "only these" has none picked, without calling the API', async () => {
    const calls = stubApi(() => undefined);
    renderWithClient(<TokenForm projects={projects} />);
    await userEvent.type(screen.getByLabelText('Name'), 'pagerduty');
    await userEvent.click(screen.getByRole('radio', { name: 'Only these projects' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const picker = screen.getByRole('group', { name: 'Projects' });
    expect(picker.getAttribute('aria-describedby')).toBe('field-projects-error');
    expect(within(picker).getByText('pick at least one project, or choose all projects')).toBeTruthy();
    expect(posts(calls)).toHaveLength(0);
  });

  it("shows the server's 400 messages on the fields they name, and others above the button", async () => {
    stubApi((method, path) =>
      method === 'POST' && path === '/tokens'
        ? {
            status: 400,
            body: {
              error: 'VALIDATION_FAILED',
              message: 'invalid',
              details: [
                { field: 'environments', reason: 'environments must not name the same environment twice' },
                { field: 'name', reason: 'name must be shorter than or equal to 200 characters' },
              ],
            },
          }
        : undefined,
    );
    renderWithClient(<TokenForm projects={projects} />);
    await userEvent.type(screen.getByLabelText('Name'), 'pagerduty');
    await userEvent.click(screen.getByRole('radio', { name: 'Only these environments' }));
    await userEvent.click(screen.getByRole('checkbox', { name: /Staging/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const environments = screen.getByRole('group', { name: 'Environments' });
    expect(await within(environments).findByText('environments must not name the same environment twice')).toBeTruthy();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('name must be shorter than or equal to 200 characters')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    // Changing the environments clears their message, and only theirs.
    await userEvent.click(within(environments).getByRole('checkbox', { name: /Production/ }));
    await waitFor(() => expect(within(environments).queryByText(/twice/)).toBeNull());
    expect(screen.getByText('name must be shorter than or equal to 200 characters')).toBeTruthy();
  });

  it('sends the end of the picked day as expiresAt, and none when the date is left empty', async () => {
    const calls = stubApi((method, path, body) => (method === 'POST' && path === '/tokens' ? issued(body) : undefined));
    renderWithClient(<TokenForm projects={projects} />);
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    await userEvent.type(screen.getByLabelText('Name'), 'ci');
    await userEvent.type(screen.getByLabelText('Expires (optional)'), day);
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByText('sbt_SECRET');
    const endOfDay = new Date(tomorrow.getFullYear(), tomorrow.getMonth(), tomorrow.getDate(), 23, 59, 59, 999).toISOString();
    expect(posts(calls).map((c) => c.body)).toEqual([{ name: 'ci', access: 'kill-switch', expiresAt: endOfDay }]);
    // The form starts afresh: no expiry.
    expect(screen.getByLabelText('Expires (optional)')).toHaveProperty('value', '');
  });

  it('refuses a past expiry day on the field without calling the API, and shows the server’s expiresAt message there', async () => {
    let refuse = false;
    const calls = stubApi((method, path, body) =>
      method === 'POST' && path === '/tokens'
        ? refuse
          ? {
              status: 400,
              body: { error: 'VALIDATION_FAILED', message: 'invalid', details: [{ field: 'expiresAt', reason: 'expiresAt must be in the future' }] },
            }
          : issued(body)
        : undefined,
    );
    renderWithClient(<TokenForm projects={projects} />);
    await userEvent.type(screen.getByLabelText('Name'), 'ci');
    const expiry = screen.getByLabelText('Expires (optional)');
    await userEvent.type(expiry, '2020-01-01');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('pick a day after today')).toBeTruthy();
    expect(expiry.getAttribute('aria-invalid')).toBe('true');
    expect(posts(calls)).toHaveLength(0);
    // The server's own refusal (its clock decides) lands on the same field.
    refuse = true;
    await userEvent.clear(expiry);
    expect(screen.queryByText('pick a day after today')).toBeNull();
    const nextYear = new Date().getFullYear() + 1;
    await userEvent.type(expiry, `${nextYear}-01-01`);
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('expiresAt must be in the future')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows an error that names no field of the form above the button', async () => {
    stubApi((method, path) =>
      method === 'POST' && path === '/tokens' ? { status: 403, body: { error: 'FORBIDDEN', message: 'This needs the admin role' } } : undefined,
    );
    renderWithClient(<TokenForm projects={projects} />);
    await userEvent.type(screen.getByLabelText('Name'), 'pagerduty');
    await userEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This needs the admin role');
  });
});
