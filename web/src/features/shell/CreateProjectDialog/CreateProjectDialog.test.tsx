import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithClient, stubApi } from '../../../test/render';
import { CreateProjectDialog } from './CreateProjectDialog';

describe('CreateProjectDialog', () => {
  it('asks before Escape discards a typed name, and not once the project exists (its SDK keys are shown)', async () => {
    stubApi((method, path, body) => {
      if (method !== 'POST' || path !== '/projects') return undefined;
      const { key, name } = body as { key: string; name: string };
      const environments = [{ key: 'production', name: 'Production', requireChangeReason: false, sdkKeyPrefix: 'sbk_1' }];
      return {
        status: 201,
        body: { project: { key, name, description: '', environments, createdAt: '2026-11-01T00:00:00.000Z' }, sdkKeys: { production: 'sbk_secret' } },
      };
    });
    const onClose = vi.fn();
    renderWithClient(<CreateProjectDialog onCreated={() => {}} onClose={onClose} />);
    await userEvent.type(screen.getByLabelText('Key'), 'pipelines');
    await userEvent.type(screen.getByLabelText('Name'), 'Data pipelines');
    await userEvent.keyboard('{Escape}');
    expect(screen.getByRole('alert', { name: 'Discard changes?' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(onClose).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Create project' }));
    await screen.findByRole('dialog', { name: 'Created Data pipelines' });
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('alert', { name: 'Discard changes?' })).toBeNull();
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
