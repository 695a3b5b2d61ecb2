import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useRef, useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { Dialog } from './Dialog';

/** A page with a button that opens a dialog holding a small form. */
const Page = ({ dirty = false, onClose = () => {}, focusNote = false }: { dirty?: boolean; onClose?: () => void; focusNote?: boolean }) => {
  const [open, setOpen] = useState(false);
  const note = useRef<HTMLTextAreaElement>(null);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open && (
        <Dialog
          title="Edit"
          dirty={dirty}
          initialFocus={focusNote ? note : undefined}
          onClose={() => {
            onClose();
            setOpen(false);
          }}
        >
          <input aria-label="Name" />
          <textarea aria-label="Note" ref={note} />
          <button type="button">Cancel</button>
          <button type="submit" disabled>
            Save
          </button>
        </Dialog>
      )}
    </>
  );
};

describe('Dialog', () => {
  it('focuses the first field, or the one it is told to', async () => {
    const { unmount } = render(<Page />);
    await userEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Name'));
    unmount();
    render(<Page focusNote />);
    await userEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Note'));
  });

  it('keeps Tab and Shift+Tab inside, skipping what is disabled', async () => {
    render(<Page />);
    await userEvent.click(screen.getByRole('button', { name: 'Open' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit' });
    await userEvent.tab(); // Note
    await userEvent.tab(); // Cancel
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    await userEvent.tab(); // past the last: back to the first (the close button)
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    await userEvent.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    for (let i = 0; i < 7; i += 1) {
      await userEvent.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
  });

  it('closes on Escape at once when nothing was typed, and gives focus back to the opener', async () => {
    const onClose = vi.fn();
    render(<Page onClose={onClose} />);
    await userEvent.click(screen.getByRole('button', { name: 'Open' }));
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open' }));
  });

  it('asks before Escape, the backdrop or × discard a dirty form', async () => {
    const onClose = vi.fn();
    render(<Page dirty onClose={onClose} />);
    await userEvent.click(screen.getByRole('button', { name: 'Open' }));
    await userEvent.type(screen.getByLabelText('Name'), 'draft');

    await userEvent.keyboard('{Escape}');
    const confirm = screen.getByRole('alert', { name: 'Discard changes?' });
    expect(onClose).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Keep editing' }));
    // Only the two choices are reachable while deciding.
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Discard changes' }));
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Keep editing' }));
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(confirm.isConnected).toBe(false);
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('draft');

    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.getByRole('alert', { name: 'Discard changes?' })).toBeTruthy();
    await userEvent.keyboard('{Escape}'); // Escape while asked = keep editing
    expect(screen.queryByRole('alert', { name: 'Discard changes?' })).toBeNull();
    expect(onClose).not.toHaveBeenCalled();

    await userEvent.pointer({ keys: '[MouseLeft]', target: document.querySelector('.dialog-backdrop')! });
    await userEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
