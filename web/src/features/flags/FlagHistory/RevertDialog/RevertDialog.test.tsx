import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../api/client';
import type { FlagConfigView } from '../../../../api/flags';
import type { FlagVersion } from '../../../../api/versions';
import { RevertDialog } from './RevertDialog';

const config = (version: number, variant: string, extra: Partial<FlagConfigView> = {}): FlagConfigView => ({
  environment: 'production',
  on: true,
  killed: false,
  kill: null,
  offVariant: 'off',
  targets: [],
  rules: [],
  defaultRule: { variant },
  prerequisites: [],
  version,
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

const v1: FlagVersion = {
  version: 1,
  at: '2026-12-01T09:00:00.000Z',
  actor: { type: 'user', name: 'ana@example.com' },
  action: 'flag.config.updated',
  reason: 'ship',
  revertedTo: null,
  config: config(1, 'v1'),
};

const setup = (props: Partial<Parameters<typeof RevertDialog>[0]> = {}) => {
  const onSubmit = vi.fn(async () => ({}));
  const onClose = vi.fn();
  render(
    <RevertDialog
      flagKey="model.pick"
      environment="production"
      current={config(3, 'v3')}
      target={v1}
      reasonRequired={false}
      onSubmit={onSubmit}
      onClose={onClose}
      {...props}
    />,
  );
  return { onSubmit: (props.onSubmit as typeof onSubmit | undefined) ?? onSubmit, onClose };
};

describe('RevertDialog', () => {
  it('shows the current config against the version, then reverts in one request with the reason', async () => {
    const { onSubmit, onClose } = setup();
    const diff = screen.getByRole('table');
    expect(within(diff).getByText('Current (v3) → version 1')).toBeTruthy();
    const row = within(diff).getByText('defaultRule.variant').closest('tr')!;
    expect(row.textContent).toContain('"v3"');
    expect(row.textContent).toContain('"v1"');
    expect(screen.getByText(/The kill switch is not changed/)).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Reason (optional)'), ' v3 regressed ');
    await userEvent.click(screen.getByRole('button', { name: 'Revert to version 1' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit).toHaveBeenCalledWith({ toVersion: 1, version: 3, reason: 'v3 regressed' });
    expect(onClose).toHaveBeenCalled();
  });

  it('keeps the version it showed when the page updates underneath it, so a save meanwhile gets the conflict view, not an overwrite', async () => {
    const onSubmit = vi.fn(async () => ({}));
    const props = { flagKey: 'model.pick', environment: 'production', target: v1, reasonRequired: false, onSubmit, onClose: vi.fn() };
    const { rerender } = render(<RevertDialog {...props} current={config(3, 'v3')} />);
    // A live update brings version 4 (someone else's save) while the dialog is open.
    rerender(<RevertDialog {...props} current={config(4, 'v4')} />);
    expect(within(screen.getByRole('table')).getByText('Current (v3) → version 1')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Revert to version 1' }));
    expect(onSubmit).toHaveBeenCalledWith({ toVersion: 1, version: 3 });
  });

  it('asks for a reason where the environment requires one, without a request', async () => {
    const { onSubmit } = setup({ reasonRequired: true });
    await userEvent.click(screen.getByRole('button', { name: 'Revert to version 1' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Reason').getAttribute('aria-invalid')).toBe('true');
  });

  it('says a killed flag stays killed', () => {
    setup({ current: config(3, 'v3', { killed: true, kill: { reason: 'bad', by: 'ops', at: '2026-12-01T11:00:00.000Z' } }) });
    expect(screen.getByText(/stays killed/)).toBeTruthy();
  });

  it('on 409 shows the conflict view, and reverting again is based on the newer version', async () => {
    const newer = config(4, 'v2', { updatedAt: '2026-12-01T12:00:00.000Z' });
    const onSubmit = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(409, 'VERSION_CONFLICT', 'changed', { currentVersion: 4, current: newer }))
      .mockResolvedValueOnce({});
    const { onClose } = setup({ onSubmit });
    await userEvent.click(screen.getByRole('button', { name: 'Revert to version 1' }));
    const conflict = await screen.findByRole('alert', { name: 'Version conflict' });
    expect(conflict.textContent).toContain('it is now at version 4');
    expect(onClose).not.toHaveBeenCalled();
    await userEvent.click(within(conflict).getByRole('button', { name: 'Reapply my changes on top' }));
    expect(onSubmit).toHaveBeenLastCalledWith({ toVersion: 1, version: 4 });
    expect(onClose).toHaveBeenCalled();
  });

  it('lists the problems when the version can no longer be written', async () => {
    const onSubmit = vi
      .fn()
      .mockRejectedValue(
        new ApiError(400, 'VALIDATION_FAILED', 'invalid', [{ field: 'defaultRule.variant', reason: "variant 'v1' does not exist in this flag" }]),
      );
    const { onClose } = setup({ onSubmit });
    await userEvent.click(screen.getByRole('button', { name: 'Revert to version 1' }));
    expect((await screen.findByRole('alert')).textContent).toContain("defaultRule.variant: variant 'v1' does not exist");
    expect(onClose).not.toHaveBeenCalled();
  });
});
