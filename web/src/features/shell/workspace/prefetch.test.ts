import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flagListQuery } from '../../../api/flagList';
import { aFlag, stubApi } from '../../../test/render';
import { flagListOf, prefetchFirstScreen } from './prefetch';

const client = () => new QueryClient({ defaultOptions: { queries: { retry: false } } });
const settled = (c: QueryClient) => vi.waitFor(() => expect(c.isFetching()).toBe(0));

afterEach(() => {
  localStorage.clear();
  vi.unstubAllGlobals();
});

describe('prefetching the first screen', () => {
  it('reads the project, environment and list state of a flags list URL, and nothing of other pages', () => {
    expect(flagListOf('/demo/production/flags?q=etl')).toMatchObject({ project: 'demo', environment: 'production' });
    expect(flagListOf('/demo/production/flags?q=etl')!.search.get('q')).toBe('etl');
    expect(flagListOf('/my%20proj/prod/flags/')).toMatchObject({ project: 'my proj', environment: 'prod' });
    expect(flagListOf('/demo/production/flags/etl.x')).toBeNull();
    expect(flagListOf('/demo/production/segments')).toBeNull();
    expect(flagListOf('/%E0%A4%A/production/flags')).toBeNull();
  });

  it('sends the session, projects and first page requests at once, the page with the URL filters, into the keys the list reads', async () => {
    const calls = stubApi((method, path) => {
      if (path.startsWith('/projects/demo/search/flags')) return { status: 200, body: { items: [aFlag()], total: 1, nextCursor: null } };
      if (path === '/auth/me') return { status: 200, body: { email: 'a@b.c', role: 'admin' } };
      if (path === '/projects') return { status: 200, body: [] };
      return undefined;
    });
    // No answer comes back until all three requests are out: a waterfall would never finish.
    const answer = globalThis.fetch;
    let sent = 0;
    let allSent!: () => void;
    const gate = new Promise<void>((resolve) => (allSent = resolve));
    vi.stubGlobal('fetch', async (...args: Parameters<typeof fetch>) => {
      if (++sent === 3) allSent();
      await gate;
      return answer(...args);
    });
    const c = client();
    prefetchFirstScreen(c, { pathname: '/demo/production/flags', search: '?q=etl&status=killed&sort=changed' });
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    const page = new URLSearchParams(calls[0]!.path.split('?')[1]);
    expect(Object.fromEntries(page)).toMatchObject({ q: 'etl', status: 'killed', environment: 'production', sort: 'changed', order: 'desc', limit: '50' });
    expect(calls.slice(1).map((call) => call.path)).toEqual(['/auth/me', '/projects']);
    await settled(c);
    const search = { q: 'etl', status: 'killed' as const, environment: 'production', sort: 'changed' as const, order: 'desc' as const };
    expect(c.getQueryData(flagListQuery('demo', search).queryKey)?.pages[0]?.items).toHaveLength(1);
  });

  it('at / prefetches the list where the user last was', async () => {
    localStorage.setItem('signalbox.lastLocation', '/demo/staging/flags?tag=etl');
    const calls = stubApi(() => ({ status: 200, body: { items: [], total: 0, nextCursor: null } }));
    prefetchFirstScreen(client(), { pathname: '/', search: '' });
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls[0]!.path).toMatch(/^\/projects\/demo\/search\/flags\?.*tag=etl/);
  });

  it('on any other page asks only for the session and the projects', async () => {
    const calls = stubApi(() => ({ status: 200, body: [] }));
    prefetchFirstScreen(client(), { pathname: '/demo/production/flags/etl.x', search: '' });
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls.map((call) => call.path)).toEqual(['/auth/me', '/projects']);
  });
});
