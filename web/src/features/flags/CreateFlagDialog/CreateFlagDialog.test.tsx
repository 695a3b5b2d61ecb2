import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithClient } from '../../../test/render';
import { CreateFlagDialog } from './CreateFlagDialog';

const open = () => {
  const onClose = vi.fn();
  renderWithClient(<CreateFlagDialog project="demo" onClose={onClose} onCreated={() => {}} />);
  return { onClose, dialog: screen.getByRole('dialog', { name: 'New flag' }) };
};

describe('CreateFlagDialog', () => {
  it('closes at once on Escape while nothing is typed', async () => {
    const { onClose } = open();
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('asks before Escape or the backdrop discard a typed key, and keeps it on "Keep editing"', async () => {
    const { onClose, dialog } = open();
    await userEvent.type(screen.getByLabelText('Key'), 'etl.half-typed');
    await userEvent.keyboard('{Escape}');
    expect(screen.getByRole('alert', { name: 'Discard changes?' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(onClose).not.toHaveBeenCalled();
    expect((screen.getByLabelText('Key') as HTMLInputElement).value).toBe('etl.half-typed');

    await userEvent.pointer({ keys: '[MouseLeft]', target: dialog.parentElement! });
    await userEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("clears a field's message once that field is edited, and keeps the others'", async () => {
    open();
    await userEvent.click(screen.getByRole('button', { name: 'Create flag' }));
    const key = screen.getByLabelText('Key');
    const name = screen.getByLabelText('Name');
    expect(key.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    await userEvent.type(key, 'etl.x');
    expect(key.getAttribute('aria-invalid')).not.toBe('true');
    expect(name.getAttribute('aria-invalid')).toBe('true');
  });

  it('counts an edited variant as typed input, even after switching back to boolean', async () => {
    const { onClose } = open();
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'string');
    await userEvent.type(screen.getByLabelText('Variant 1 value'), 'gpt-small');
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'boolean');
    await userEvent.keyboard('{Escape}');
    expect(screen.getByRole('alert', { name: 'Discard changes?' })).toBeTruthy();
    expect(onClose).not.toHaveBeenCalled();
  });
});
