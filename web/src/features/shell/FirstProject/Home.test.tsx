import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../../../test/render';
import { Home } from './Home';

afterEach(() => vi.unstubAllGlobals());

const Location = () => <p data-testid="location">{useLocation().pathname}</p>;

const renderHome = (role: string) => {
  const projects: unknown[] = [];
  const calls = stubApi((method, path, body) => {
    if (path === '/auth/me') return { status: 200, body: { kind: 'user', name: 'Sam', role } };
    if (method === 'GET' && path === '/projects') return { status: 200, body: projects };
    if (method === 'POST' && path === '/projects') {
      const environments = [
        { key: 'development', name: 'Development', requireChangeReason: false },
        { key: 'production', name: 'Production', requireChangeReason: true },
      ];
      const project = { ...(body as object), environments };
      projects.push(project);
      return { status: 201, body: { project, sdkKeys: { development: 'sbk_dev_SECRET', production: 'sbk_prod_SECRET' } } };
    }
    return undefined;
  });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/']}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="*" element={<Location />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return calls;
};

describe('Home before any project exists', () => {
  it('lets an admin create the first project, shows its SDK keys once, then opens it', async () => {
    const calls = renderHome('admin');
    await userEvent.click(await screen.findByRole('button', { name: 'Create the first project' }));
    const dialog = screen.getByRole('dialog', { name: 'New project' });
    await userEvent.type(within(dialog).getByLabelText('Key'), 'pipelines');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Pipelines');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create project' }));
    // The keys stay on screen although the project list now has the new project.
    expect((await screen.findByLabelText('SDK key of Production')).textContent).toBe('sbk_prod_SECRET');
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.path === '/projects').length).toBeGreaterThan(1));
    expect(screen.queryByTestId('location')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.getByTestId('location').textContent).toMatch(/^\/pipelines\/\w+\/flags$/));
  });

  it('tells anyone else to ask an admin', async () => {
    renderHome('editor');
    expect(await screen.findByText('Ask an admin to create a project.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Create the first project' })).toBeNull();
  });
});
