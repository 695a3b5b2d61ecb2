import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { KillDialog } from './KillDialog';

const production = { key: 'production', name: 'Production', requireChangeReason: true, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const development = { key: 'development', name: 'Development', requireChangeReason: false, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };

describe('KillDialog', () => {
  it('does not kill without a reason and says why next to the field', async () => {
    const onSubmit = vi.fn(async () => {});
    render(<KillDialog mode="kill" flagKey="etl.x" environment={development} environments={[]} onSubmit={onSubmit} onClose={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Kill now' }));
    expect(onSubmit).not.toHaveBeenCalled();
    const reason = screen.getByLabelText('Reason');
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(reason.getAttribute('aria-describedby')!)?.textContent).toMatch(/Give a reason/);
  });

  it("clears the reason's message once a reason is typed", async () => {
    render(<KillDialog mode="kill" flagKey="etl.x" environment={development} environments={[]} onSubmit={vi.fn(async () => {})} onClose={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Kill now' }));
    const reason = screen.getByLabelText('Reason');
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    await userEvent.type(reason, 'I');
    expect(reason.getAttribute('aria-invalid')).not.toBe('true');
    expect(screen.queryByText(/Give a reason/)).toBeNull();
  });

  it('kills with the trimmed reason in the current environment, then closes', async () => {
    const onSubmit = vi.fn(async () => {});
    const onClose = vi.fn();
    render(<KillDialog mode="kill" flagKey="etl.x" environment={production} environments={[]} onSubmit={onSubmit} onClose={onClose} />);
    await userEvent.type(screen.getByLabelText('Reason'), '  INC-1: null ids  ');
    await userEvent.click(screen.getByRole('button', { name: 'Kill now' }));
    expect(onSubmit).toHaveBeenCalledWith({ reason: 'INC-1: null ids', environments: ['production'] });
    expect(onClose).toHaveBeenCalled();
  });

  it('restores without a reason where the environment does not ask for one', async () => {
    const onSubmit = vi.fn(async () => {});
    render(<KillDialog mode="restore" flagKey="etl.x" environment={development} environments={[]} onSubmit={onSubmit} onClose={() => {}} />);
    expect(screen.getByLabelText('Reason (optional)')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Restore now' }));
    expect(onSubmit).toHaveBeenCalledWith({ reason: '', environments: ['development'] });
  });

  it('kills in several environments when the API allows it', async () => {
    const onSubmit = vi.fn(async () => {});
    render(<KillDialog mode="kill" flagKey="etl.x" environment={production} environments={[development, production]} onSubmit={onSubmit} onClose={() => {}} />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Development' }));
    await userEvent.type(screen.getByLabelText('Reason'), 'bad data');
    await userEvent.click(screen.getByRole('button', { name: 'Kill now' }));
    expect(onSubmit).toHaveBeenCalledWith({ reason: 'bad data', environments: ['production', 'development'] });
  });

  it('keeps the dialog open and shows the server message when the kill fails', async () => {
    const onClose = vi.fn();
    const onSubmit = vi.fn(async () => {
      throw new Error('Forbidden: viewers cannot kill flags');
    });
    render(<KillDialog mode="kill" flagKey="etl.x" environment={production} environments={[]} onSubmit={onSubmit} onClose={onClose} />);
    await userEvent.type(screen.getByLabelText('Reason'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Kill now' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Forbidden');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('focuses Reason when it opens, even with environments to pick first', () => {
    render(<KillDialog mode="kill" flagKey="etl.x" environment={production} environments={[development, production]} onSubmit={vi.fn()} onClose={() => {}} />);
    expect(document.activeElement).toBe(screen.getByLabelText('Reason'));
  });

  it('asks before Escape throws away a typed reason', async () => {
    const onClose = vi.fn();
    render(<KillDialog mode="kill" flagKey="etl.x" environment={production} environments={[]} onSubmit={vi.fn()} onClose={onClose} />);
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
    onClose.mockClear();
    await userEvent.type(screen.getByLabelText('Reason'), 'INC-1');
    await userEvent.keyboard('{Escape}');
    expect(onClose).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
