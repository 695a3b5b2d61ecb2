import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../api/client';
import { renderWithClient } from '../../../test/render';
import { ArchiveDialog } from './ArchiveDialog';

describe('ArchiveDialog', () => {
  it('closes at once on Escape while nothing is typed, and asks once a reason is', async () => {
    const onClose = vi.fn();
    renderWithClient(<ArchiveDialog action="archive" flagKey="etl.old" onSubmit={async () => {}} onClose={onClose} />);
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("shows the API's message next to the reason, and clears it once the reason is edited", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(400, 'VALIDATION_FAILED', 'reason: too long', [{ field: 'reason', reason: 'too long' }]);
    });
    renderWithClient(<ArchiveDialog action="archive" flagKey="etl.old" onSubmit={onSubmit} onClose={() => {}} />);
    const reason = screen.getByLabelText(/Reason/);
    await userEvent.type(reason, 'x');
    await userEvent.click(screen.getByRole('button', { name: /Archive/ }));
    await vi.waitFor(() => expect(reason.getAttribute('aria-invalid')).toBe('true'));
    await userEvent.type(reason, 'y');
    expect(reason.getAttribute('aria-invalid')).not.toBe('true');
  });

  it('asks before Escape discards a typed confirmation key', async () => {
    const onClose = vi.fn();
    renderWithClient(<ArchiveDialog action="delete" flagKey="etl.old" onSubmit={async () => {}} onClose={onClose} />);
    await userEvent.type(screen.getByLabelText('Type etl.old to confirm'), 'etl.o');
    await userEvent.keyboard('{Escape}');
    expect(screen.getByRole('alert', { name: 'Discard changes?' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
