import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlagView } from '../../../api/flags';
import type { ProjectView } from '../../../api/projects';
import { aFlag, renderWithClient, stubApi } from '../../../test/render';
import { FlagsList } from './FlagsList';

const production = { key: 'production', name: 'Production', requireChangeReason: true, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const project: ProjectView = { key: 'demo', name: 'Demo', description: '', environments: [production], createdAt: '2026-11-01T00:00:00.000Z' };

const SEARCH = '/projects/demo/search/flags';
const page = (items: FlagView[], total = items.length, nextCursor: string | null = null) => ({ status: 200, body: { items, total, nextCursor } });
const flagNamed = (key: string): FlagView => ({ ...aFlag(), key, name: `Flag ${key}` });
const queryOf = (path: string) => new URLSearchParams(path.split('?')[1] ?? '');
const searches = (calls: { method: string; path: string }[]) => calls.filter((c) => c.path.startsWith(SEARCH) && queryOf(c.path).get('limit') !== '1');

const Location = () => <output data-testid="location">{useLocation().search}</output>;

/** The list at a URL, with the URL shown, and the query client to poke. */
const renderAt = (url: string) => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <FlagsList project={project} environment={production} />
        <Location />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { client, location: () => screen.getByTestId('location').textContent ?? '' };
};

// jsdom lays nothing out: give the scroll area and each row a size, as a browser would, so the
// virtualiser has a viewport to fill.
beforeEach(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(640);
  vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue(DOMRect.fromRect({ width: 1000, height: 64 }));
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('FlagsList', () => {
  it('lists archived flags, marked as such, only when asked to', async () => {
    const active = aFlag();
    const archived = { ...aFlag(), key: 'etl.old-loader', name: 'Old loader', archived: true, archivedAt: '2026-11-21T09:00:00.000Z' };
    const calls = stubApi((method, path) => {
      if (method !== 'GET' || !path.startsWith(SEARCH)) return undefined;
      return page(queryOf(path).get('archived') === 'all' ? [active, archived] : [active]);
    });
    renderWithClient(<FlagsList project={project} environment={production} />);
    await screen.findByRole('link', { name: active.name });
    expect(screen.queryByRole('link', { name: 'Old loader' })).toBeNull();

    await userEvent.click(screen.getByRole('checkbox', { name: 'Show archived' }));
    const row = (await screen.findByRole('link', { name: 'Old loader' })).closest('tr')!;
    expect(within(row).getByText('archived')).toBeTruthy();
    expect(within(screen.getByRole('link', { name: active.name }).closest('tr')!).queryByText('archived')).toBeNull();
    expect(searches(calls).some((c) => queryOf(c.path).get('archived') === 'all')).toBe(true);
  });

  it('reads search, filters and order from the URL and asks the server for exactly that', async () => {
    const calls = stubApi((method, path) => (method === 'GET' && path.startsWith(SEARCH) ? page([aFlag()]) : undefined));
    renderAt('/?q=etl&status=killed&sort=changed&order=asc&tag=etl');
    await screen.findByRole('link', { name: aFlag().name });
    expect((screen.getByLabelText('Search') as HTMLInputElement).value).toBe('etl');
    expect((screen.getByLabelText('Sort by') as HTMLSelectElement).value).toBe('changed');
    const sent = queryOf(searches(calls)[0]!.path);
    expect(Object.fromEntries(sent)).toMatchObject({
      q: 'etl',
      status: 'killed',
      environment: 'production',
      sort: 'changed',
      order: 'asc',
      tag: 'etl',
      limit: '50',
    });
  });

  it('puts a new order into the URL, so a link reproduces it', async () => {
    stubApi((method, path) => (method === 'GET' && path.startsWith(SEARCH) ? page([aFlag()]) : undefined));
    const { location } = renderAt('/');
    await screen.findByRole('link', { name: aFlag().name });
    await userEvent.selectOptions(screen.getByLabelText('Sort by'), 'evaluated');
    // Dates sort newest first by default, which the URL leaves implicit.
    await waitFor(() => expect(location()).toBe('?sort=evaluated'));
    await userEvent.selectOptions(screen.getByLabelText('Order'), 'asc');
    await waitFor(() => expect(location()).toBe('?sort=evaluated&order=asc'));
  });

  it('keeps both of two changes made before the list renders again (a busy machine)', async () => {
    stubApi((method, path) => (method === 'GET' && path.startsWith(SEARCH) ? page([aFlag()]) : undefined));
    const { location } = renderAt('/');
    await screen.findByRole('link', { name: aFlag().name });
    // One act: React renders once, after both changes, as it may when the main thread is busy.
    act(() => {
      fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'name' } });
      fireEvent.change(screen.getByLabelText('Order'), { target: { value: 'desc' } });
    });
    await waitFor(() => expect(location()).toBe('?sort=name&order=desc'));
  });

  it('keeps every keystroke of fast typing and searches once the typing pauses', async () => {
    const calls = stubApi((method, path) => (method === 'GET' && path.startsWith(SEARCH) ? page([aFlag()]) : undefined));
    const { location } = renderAt('/');
    await screen.findByRole('link', { name: aFlag().name });
    const box = screen.getByLabelText('Search') as HTMLInputElement;
    await userEvent.type(box, 'step-04', { delay: null });
    expect(box.value).toBe('step-04');
    await waitFor(() => expect(location()).toBe('?q=step-04'));
    await waitFor(() => expect(searches(calls).at(-1)!.path).toContain('q=step-04'));
    // One search for the burst, none for the partial words in between.
    expect(
      searches(calls)
        .filter((c) => queryOf(c.path).has('q'))
        .map((c) => queryOf(c.path).get('q')),
    ).toEqual(['step-04']);
    expect(box.value).toBe('step-04');
  });

  it('keeps the rows and offers a retry when a refresh fails, instead of an error in their place', async () => {
    let failing = false;
    stubApi((method, path) => {
      if (method !== 'GET' || !path.startsWith(SEARCH)) return undefined;
      return failing ? { status: 500, body: { error: 'INTERNAL', message: 'boom' } } : page([aFlag()]);
    });
    const { client } = renderAt('/');
    await screen.findByRole('link', { name: aFlag().name });
    failing = true;
    await act(() => client.invalidateQueries());
    await screen.findByRole('status', { name: 'Could not refresh' });
    expect(screen.getByRole('link', { name: aFlag().name })).toBeTruthy();
    expect(screen.queryByText('Could not load this.')).toBeNull();

    failing = false;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('status', { name: 'Could not refresh' })).toBeNull());
  });

  it('keeps only a window of the rows of a long list in the DOM', async () => {
    const all = Array.from({ length: 100 }, (_, i) => flagNamed(`bulk.flag-${String(i).padStart(3, '0')}`));
    const calls = stubApi((method, path) => {
      if (method !== 'GET' || !path.startsWith(SEARCH)) return undefined;
      const second = queryOf(path).get('cursor') === 'page-2';
      return page(second ? all.slice(50) : all.slice(0, 50), all.length, second ? null : 'page-2');
    });
    renderAt('/');
    await screen.findByText('100 flags');
    // jsdom does not scroll like a browser (web/e2e/scale.tests.mjs checks that in Chromium): here,
    // only that the rows in the DOM stay a window of the list, whatever it loaded.
    await waitFor(() => expect(searches(calls).some((c) => queryOf(c.path).get('cursor') === 'page-2')).toBe(true));
    const rendered = screen.getAllByRole('link', { name: /^Flag bulk\./ }).length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(all.length * 0.7);
  }, 20_000);

  it('says there are no flags yet only when the project has none', async () => {
    stubApi((method, path) => {
      if (method !== 'GET' || !path.startsWith(SEARCH)) return undefined;
      return queryOf(path).get('archived') === 'all' ? page([], 3) : page([]);
    });
    renderAt('/?q=nothing-like-this');
    await screen.findByText('No flags match these filters.');
  });
});
