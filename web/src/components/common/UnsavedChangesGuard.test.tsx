import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { createMemoryRouter, Link, MemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { UnsavedChangesGuard } from './UnsavedChangesGuard';

/** A page with a form that is dirty once something is typed, and a link away. */
const EditPage = ({ onDiscard }: { onDiscard: () => void }) => {
  const [text, setText] = useState('');
  return (
    <>
      <input aria-label="Rollout" value={text} onChange={(e) => setText(e.target.value)} />
      <Link to="/segments">Segments</Link>
      <UnsavedChangesGuard when={text !== ''} onDiscard={onDiscard} />
    </>
  );
};

const routes = (onDiscard: () => void) => [
  { path: '/flag', element: <EditPage onDiscard={onDiscard} /> },
  { path: '/segments', element: <h1>Segments page</h1> },
];

/** The pages on a memory data router, as the console runs on a browser one (mount.tsx). */
const mount = (onDiscard: () => void, initialEntries = ['/flag']) => {
  const router = createMemoryRouter(routes(onDiscard), { initialEntries });
  render(<RouterProvider router={router} />);
  return router;
};

describe('UnsavedChangesGuard', () => {
  it('asks before leaving a dirty form, stays on "Keep editing", leaves and discards otherwise', async () => {
    const onDiscard = vi.fn();
    mount(onDiscard);
    await userEvent.type(screen.getByLabelText('Rollout'), '35');
    await userEvent.click(screen.getByRole('link', { name: 'Segments' }));
    const prompt = screen.getByRole('dialog', { name: 'Leave without saving?' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Keep editing' }));
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(prompt.isConnected).toBe(false);
    expect((screen.getByLabelText('Rollout') as HTMLInputElement).value).toBe('35');
    expect(onDiscard).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('link', { name: 'Segments' }));
    await userEvent.click(screen.getByRole('button', { name: 'Leave and discard' }));
    expect(await screen.findByRole('heading', { name: 'Segments page' })).toBeTruthy();
    expect(onDiscard).toHaveBeenCalledTimes(1);
  });

  it('asks before Back leaves a dirty form, and stays on the form until the user chooses to leave', async () => {
    const onDiscard = vi.fn();
    const router = mount(onDiscard, ['/segments', '/flag']);
    await userEvent.type(screen.getByLabelText('Rollout'), '35');
    await act(() => router.navigate(-1));
    expect(screen.getByRole('dialog', { name: 'Leave without saving?' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/flag');
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(router.state.location.pathname).toBe('/flag');
    expect((screen.getByLabelText('Rollout') as HTMLInputElement).value).toBe('35');

    await act(() => router.navigate(-1));
    await userEvent.click(screen.getByRole('button', { name: 'Leave and discard' }));
    expect(await screen.findByRole('heading', { name: 'Segments page' })).toBeTruthy();
    expect(onDiscard).toHaveBeenCalledTimes(1);
  });

  it('lets a clean form go without asking', async () => {
    const onDiscard = vi.fn();
    mount(onDiscard);
    await userEvent.click(screen.getByRole('link', { name: 'Segments' }));
    expect(await screen.findByRole('heading', { name: 'Segments page' })).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onDiscard).not.toHaveBeenCalled();
  });

  it('asks the browser to confirm a reload only while dirty', () => {
    const { rerender } = render(
      <MemoryRouter>
        <UnsavedChangesGuard when />
      </MemoryRouter>,
    );
    const dirty = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(dirty);
    expect(dirty.defaultPrevented).toBe(true);
    rerender(
      <MemoryRouter>
        <UnsavedChangesGuard when={false} />
      </MemoryRouter>,
    );
    const clean = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(clean);
    expect(clean.defaultPrevented).toBe(false);
  });
});
