import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import { aFlag, renderWithClient, stubApi } from '../../../test/render';
import { FlagsList } from './FlagsList';

const production = { key: 'production', name: 'Production', requireChangeReason: true, sdkKeyPrefix: null };
const project: ProjectView = { key: 'demo', name: 'Demo', description: '', environments: [production], createdAt: '2026-11-01T00:00:00.000Z' };

describe('FlagsList', () => {
  it('lists archived flags, marked as such, only when asked to', async () => {
    const active = aFlag();
    const archived = { ...aFlag(), key: 'etl.old-loader', name: 'Old loader', archived: true, archivedAt: '2026-11-21T09:00:00.000Z' };
    const calls = stubApi((method, path) => {
      if (method !== 'GET' || !path.startsWith('/projects/demo/flags')) return undefined;
      return { status: 200, body: path.includes('archived=all') ? [active, archived] : [active] };
    });
    renderWithClient(<FlagsList project={project} environment={production} />);
    await screen.findByRole('link', { name: active.name });
    expect(screen.queryByRole('link', { name: 'Old loader' })).toBeNull();

    await userEvent.click(screen.getByRole('checkbox', { name: 'Show archived' }));
    const row = (await screen.findByRole('link', { name: 'Old loader' })).closest('tr')!;
    expect(within(row).getByText('archived')).toBeTruthy();
    expect(within(screen.getByRole('link', { name: active.name }).closest('tr')!).queryByText('archived')).toBeNull();
    expect(calls.some((c) => c.path === '/projects/demo/flags?archived=all')).toBe(true);
  });
});
