import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useMe } from '../../../api/auth';
import type { FlagView, ProjectView, Role } from '../../../api/types';
import { aFlag, stubApi } from '../../../test/render';
import { FlagPage } from './FlagPage';

const production = { key: 'production', name: 'Production', requireChangeReason: true };
const project: ProjectView = { key: 'demo', name: 'Demo', environments: [production] };
const KEY = 'etl.use-new-transformer';
const FLAG_PATH = `/projects/demo/flags/${KEY}`;

/** Says when the signed-in role has loaded: until then every page treats the user as a viewer. */
const RoleLoaded = () => {
  const { data } = useMe();
  return data ? <p>signed in as {data.role}</p> : null;
};

/** The flag page of a flag the stub API keeps, as the given role; archive, unarchive and delete change it. */
const renderFlagPage = (role: Role, initial: FlagView, { tab, archive }: { tab?: string; archive?: () => { status: number; body?: unknown } } = {}) => {
  let flag: FlagView | null = initial;
  const calls = stubApi((method, path, body) => {
    if (path === '/auth/me') return { status: 200, body: { kind: 'user', name: role, role } };
    if (method === 'GET' && path === FLAG_PATH) return flag ? { status: 200, body: flag } : undefined;
    if (method === 'POST' && path === `${FLAG_PATH}/archive`) {
      if (archive) return archive();
      flag = { ...flag!, archived: true, archivedAt: '2026-11-21T09:00:00.000Z', version: flag!.version + 1 };
      return { status: 200, body: flag };
    }
    if (method === 'POST' && path === `${FLAG_PATH}/unarchive`) {
      flag = { ...flag!, archived: false, archivedAt: null, version: flag!.version + 1 };
      return { status: 200, body: flag };
    }
    if (method === 'DELETE' && path.startsWith(FLAG_PATH)) {
      flag = null;
      return { status: 204 };
    }
    return method === 'GET' ? { status: 200, body: [] } : undefined;
  });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[`/demo/production/flags/${KEY}${tab ? `?tab=${tab}` : ''}`]}>
        <Routes>
          <Route path="/demo/production/flags" element={<h1>All flags</h1>} />
          <Route
            path="/demo/production/flags/:flagKey"
            element={
              <>
                <RoleLoaded />
                <FlagPage project={project} environment={production} />
              </>
            }
          />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return calls;
};

const archivedFlag = () => ({ ...aFlag(), archived: true, archivedAt: '2026-11-21T09:00:00.000Z', version: 2 });

describe('FlagPage: archiving', () => {
  it('archives after confirming, with the reason, and then shows the archived banner instead of the kill switch', async () => {
    const calls = renderFlagPage('editor', aFlag());
    await userEvent.click(await screen.findByRole('button', { name: 'Archive' }));
    const dialog = screen.getByRole('dialog', { name: `Archive ${KEY}` });
    await userEvent.type(within(dialog).getByLabelText('Reason (optional)'), 'rolled out everywhere');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Archive flag' }));

    const banner = await screen.findByRole('status', { name: 'Archived' });
    expect(within(banner).getByRole('button', { name: 'Unarchive' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Kill switch' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Archive' })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: `${FLAG_PATH}/archive`, body: { reason: 'rolled out everywhere' } }]);
  });

  it('keeps the dialog open with the reason the server refused to archive', async () => {
    renderFlagPage('editor', aFlag(), {
      archive: () => ({ status: 409, body: { error: 'CONFLICT', message: `Flag '${KEY}' is a prerequisite of: etl.load-v2`, details: { flags: ['etl.load-v2'] } } }),
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Archive' }));
    await userEvent.click(screen.getByRole('button', { name: 'Archive flag' }));
    const dialog = screen.getByRole('dialog', { name: `Archive ${KEY}` });
    expect((await within(dialog).findByRole('alert')).textContent).toContain('is a prerequisite of: etl.load-v2');
  });

  it('shows an archived flag\'s targeting read-only, even to an editor (the server refuses changes)', async () => {
    renderFlagPage('editor', archivedFlag());
    await screen.findByRole('button', { name: 'Unarchive' });
    expect(screen.queryByRole('form', { name: 'Targeting in Production' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Save to/ })).toBeNull();
  });

  it('gives an editor the targeting form of an active flag', async () => {
    renderFlagPage('editor', aFlag());
    expect(await screen.findByRole('form', { name: 'Targeting in Production' })).toBeTruthy();
  });

  it('unarchives an archived flag', async () => {
    const calls = renderFlagPage('editor', archivedFlag());
    await userEvent.click(await screen.findByRole('button', { name: 'Unarchive' }));
    await userEvent.click(screen.getByRole('button', { name: 'Unarchive flag' }));
    await screen.findByRole('region', { name: 'Kill switch' });
    expect(screen.queryByRole('status', { name: 'Archived' })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`${FLAG_PATH}/unarchive`]);
  });

  it('deletes for good only once the key is typed, then goes back to the flags list', async () => {
    const calls = renderFlagPage('editor', archivedFlag());
    await userEvent.click(await screen.findByRole('button', { name: 'Delete for good' }));
    const dialog = screen.getByRole('dialog', { name: `Delete ${KEY}` });
    const submit = within(dialog).getByRole('button', { name: 'Delete for good' });
    await userEvent.type(within(dialog).getByLabelText(`Type ${KEY} to confirm`), 'etl.use-new');
    expect(submit).toHaveProperty('disabled', true);
    await userEvent.type(within(dialog).getByLabelText(`Type ${KEY} to confirm`), '-transformer');
    await userEvent.type(within(dialog).getByLabelText('Reason (optional)'), 'code removed');
    await userEvent.click(submit);

    await screen.findByRole('heading', { name: 'All flags' });
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`${FLAG_PATH}?reason=code+removed`]);
  });

  it('shows a viewer the banner, but no way to unarchive, delete or archive', async () => {
    renderFlagPage('viewer', archivedFlag());
    await screen.findByRole('status', { name: 'Archived' });
    await screen.findByText('signed in as viewer');
    expect(screen.queryByRole('button', { name: 'Unarchive' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete for good' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Archive' })).toBeNull();
  });
});

describe('FlagPage: details', () => {
  it('shows an editor the details form', async () => {
    renderFlagPage('editor', aFlag(), { tab: 'details' });
    expect(await screen.findByRole('form', { name: 'Flag details' })).toBeTruthy();
  });

  it('gives a viewer no inputs on the details tab', async () => {
    renderFlagPage('viewer', aFlag(), { tab: 'details' });
    await screen.findByRole('table', { name: `Variants of ${KEY}` });
    await screen.findByText('signed in as viewer');
    expect(screen.queryByRole('form', { name: 'Flag details' })).toBeNull();
    expect(document.querySelectorAll('input, textarea, select')).toHaveLength(0);
  });
});
