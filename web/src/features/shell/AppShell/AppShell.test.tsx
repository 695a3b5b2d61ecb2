import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import type { Role } from '../../../api/access';
import { stubApi } from '../../../test/render';
import { AppShell } from './AppShell';

const demo = (): ProjectView => ({
  key: 'demo',
  name: 'Demo',
  description: '',
  createdAt: '2026-11-01T00:00:00.000Z',
  environments: [
    { key: 'development', name: 'Development', requireChangeReason: false, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null },
    { key: 'production', name: 'Production', requireChangeReason: true, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null },
  ],
});

const Where = () => <p data-testid="location">{useLocation().pathname}</p>;

/** The shell over a stub API whose project list grows as the console creates projects and environments. */
const renderShell = (role: Role, answers: { environment?: () => { status: number; body?: unknown } } = {}) => {
  const projects = [demo()];
  const calls = stubApi((method, path, body) => {
    if (path === '/auth/me') return { status: 200, body: { kind: 'user', name: `Sam ${role}`, role } };
    if (method === 'GET' && path === '/projects') return { status: 200, body: projects };
    if (method === 'POST' && path === '/projects/demo/environments') {
      if (answers.environment) return answers.environment();
      const environment = {
        requireApproval: false,
        requiredApprovals: 1,
        ...(body as { key: string; name: string; requireChangeReason: boolean }),
        sdkKeyPrefix: 'sbk_qa',
      };
      projects[0]!.environments.push(environment);
      return { status: 201, body: { environment, sdkKey: 'sbk_qa_SECRET' } };
    }
    if (method === 'POST' && path === '/projects') {
      const input = body as { key: string; name: string };
      const project = { key: input.key, name: input.name, description: '', environments: demo().environments, createdAt: '2026-11-01T00:00:00.000Z' };
      projects.push(project);
      return { status: 201, body: { project, sdkKeys: { development: 'sbk_dev_SECRET', production: 'sbk_prod_SECRET' } } };
    }
    return undefined;
  });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/demo/development/flags']}>
        <Routes>
          <Route
            path="/:projectKey/:envKey/*"
            element={
              <AppShell>
                <Where />
              </AppShell>
            }
          />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return calls;
};

describe('AppShell: navigation', () => {
  it('offers every section the console ships with, without asking the server which exist', async () => {
    const calls = renderShell('admin');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await screen.findByText('Sam admin');
    const links = within(nav)
      .getAllByRole('link')
      .map((link) => link.textContent);
    expect(links).toEqual([
      'Flags',
      'Segments',
      'Experiments',
      'Change requests',
      'Evaluate',
      'Audit log',
      'API tokens & SDK keys',
      'Users & roles',
      'Webhooks',
    ]);
    expect(within(nav).queryByText('Coming soon')).toBeNull();
    // Every request is an API call under /api/v1 (the stub strips that prefix); none fetches the OpenAPI document.
    expect(calls.filter((c) => c.path.startsWith('/api/'))).toEqual([]);
  });

  it('shows Webhooks to admins only', async () => {
    renderShell('editor');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await screen.findByText('Sam editor');
    expect(within(nav).getByRole('link', { name: 'Experiments' })).toBeTruthy();
    expect(within(nav).queryByRole('link', { name: 'Webhooks' })).toBeNull();
  });
});

describe('AppShell: creating projects and environments', () => {
  it('lets an admin add an environment, switches to it and shows its SDK key once', async () => {
    const calls = renderShell('admin');
    await userEvent.click(await screen.findByRole('button', { name: 'New environment' }));
    const dialog = screen.getByRole('dialog', { name: 'New environment in Demo' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create environment' }));
    expect(within(dialog).getByLabelText('Key').getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await userEvent.type(within(dialog).getByLabelText('Key'), 'qa');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'QA');
    await userEvent.click(within(dialog).getByRole('checkbox', { name: 'Every change here must give a reason' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create environment' }));

    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/demo/qa/flags'));
    expect((screen.getByLabelText('Environment') as HTMLSelectElement).value).toBe('qa');
    expect(screen.getByLabelText('SDK key of QA').textContent).toBe('sbk_qa_SECRET');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ key: 'qa', name: 'QA', requireChangeReason: true });
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the API validation message next to the key, and stays where it is', async () => {
    renderShell('admin', {
      environment: () => ({
        status: 400,
        body: {
          error: 'VALIDATION_FAILED',
          message: 'key: key must be at most 128 characters',
          details: [{ field: 'key', reason: 'key must be at most 128 characters' }],
        },
      }),
    });
    await userEvent.click(await screen.findByRole('button', { name: 'New environment' }));
    const dialog = screen.getByRole('dialog', { name: 'New environment in Demo' });
    await userEvent.click(within(dialog).getByLabelText('Key'));
    await userEvent.paste('a'.repeat(129));
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Long');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create environment' }));

    const key = within(dialog).getByLabelText('Key');
    await waitFor(() => expect(key.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(key.getAttribute('aria-describedby')!)?.textContent).toBe('key must be at most 128 characters');
    expect(screen.getByTestId('location').textContent).toBe('/demo/development/flags');
  });

  it('says so when the environment already exists', async () => {
    renderShell('admin', { environment: () => ({ status: 409, body: { error: 'CONFLICT', message: "Environment 'production' already exists in demo" } }) });
    await userEvent.click(await screen.findByRole('button', { name: 'New environment' }));
    const dialog = screen.getByRole('dialog', { name: 'New environment in Demo' });
    await userEvent.type(within(dialog).getByLabelText('Key'), 'production');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Production');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create environment' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe("Environment 'production' already exists in demo");
  });

  it('lets an admin create a project and switches to it', async () => {
    const calls = renderShell('admin');
    await userEvent.click(await screen.findByRole('button', { name: 'New project' }));
    const dialog = screen.getByRole('dialog', { name: 'New project' });
    await userEvent.type(within(dialog).getByLabelText('Key'), 'ml-models');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'ML models');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create project' }));

    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/ml-models/production/flags'));
    expect((screen.getByLabelText('Project') as HTMLSelectElement).value).toBe('ml-models');
    expect(screen.getByLabelText('SDK key of Production').textContent).toBe('sbk_prod_SECRET');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ key: 'ml-models', name: 'ML models' });
  });

  it('offers an editor no way to create projects or environments', async () => {
    renderShell('editor');
    await screen.findByText('Sam editor');
    expect(screen.queryByRole('button', { name: 'New project' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New environment' })).toBeNull();
  });
});
