import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { EmptyState, type QueryLike, QueryView } from './StateViews';

const aQuery = <T,>(state: Partial<QueryLike<T>>): QueryLike<T> => ({
  isPending: false,
  isError: false,
  error: null,
  data: undefined,
  refetch: vi.fn(async () => undefined),
  ...state,
});

const names = (list: string[]) => (
  <ul aria-label="Names">
    {list.map((n) => (
      <li key={n}>{n}</li>
    ))}
  </ul>
);

describe('QueryView', () => {
  it('says it is loading, with the label it is given', () => {
    render(
      <QueryView query={aQuery<string[]>({ isPending: true })} loadingLabel="Loading webhooks…">
        {names}
      </QueryView>,
    );
    expect(screen.getByRole('status').textContent).toBe('Loading webhooks…');
    expect(screen.queryByRole('list')).toBeNull();
  });

  it('shows the error and loads again on Try again', async () => {
    const query = aQuery<string[]>({ isError: true, error: new ApiError(500, 'INTERNAL', 'the database is down') });
    render(<QueryView query={query}>{names}</QueryView>);
    expect(screen.getByRole('alert').textContent).toContain('the database is down');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(query.refetch).toHaveBeenCalledTimes(1);
  });

  it('shows the empty state for an empty list, and the list otherwise', () => {
    const { rerender } = render(
      <QueryView query={aQuery<string[]>({ data: [] })} empty={<EmptyState title="No webhooks yet." />}>
        {names}
      </QueryView>,
    );
    expect(screen.getByText('No webhooks yet.')).toBeTruthy();
    expect(screen.queryByRole('list')).toBeNull();

    rerender(
      <QueryView query={aQuery<string[]>({ data: ['slack'] })} empty={<EmptyState title="No webhooks yet." />}>
        {names}
      </QueryView>,
    );
    expect(screen.getByRole('list', { name: 'Names' }).textContent).toBe('slack');
    expect(screen.queryByText('No webhooks yet.')).toBeNull();
  });

  it('asks isEmpty whether data that is not a list counts as empty', () => {
    const report = (samples: number) => aQuery<{ samples: number }>({ data: { samples } });
    const view = (samples: number) => (
      <QueryView query={report(samples)} isEmpty={(r) => r.samples === 0} empty={<EmptyState title="No shadowed calls." />}>
        {(r) => <p>{r.samples} samples</p>}
      </QueryView>
    );
    const { rerender } = render(view(0));
    expect(screen.getByText('No shadowed calls.')).toBeTruthy();
    rerender(view(12));
    expect(screen.getByText('12 samples')).toBeTruthy();
  });

  it('shows an empty list as it is when no empty state is given', () => {
    render(<QueryView query={aQuery<string[]>({ data: [] })}>{names}</QueryView>);
    expect(screen.getByRole('list', { name: 'Names' }).children).toHaveLength(0);
  });

  it('keeps the data on screen when a refresh fails, with when it was loaded and a retry', async () => {
    const loadedAt = new Date(2026, 11, 4, 14, 2, 11).getTime();
    const query = aQuery<string[]>({
      isError: true,
      error: new ApiError(0, 'NETWORK', 'Cannot reach the Signalbox server'),
      data: ['slack'],
      dataUpdatedAt: loadedAt,
    });
    render(<QueryView query={query}>{names}</QueryView>);
    expect(screen.getByRole('list', { name: 'Names' }).textContent).toBe('slack');
    expect(screen.queryByText('Could not load this.')).toBeNull();
    const notice = screen.getByRole('status', { name: 'Could not refresh' });
    expect(notice.textContent).toMatch(/Could not refresh.*last updated 14\D02\D11/);
    expect(notice.textContent).toContain('Cannot reach the Signalbox server');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(query.refetch).toHaveBeenCalledTimes(1);
  });

  it('does not remount what it shows when a refresh fails and then succeeds', async () => {
    const view = (state: Partial<QueryLike<string[]>>) => (
      <QueryView query={aQuery<string[]>({ data: ['slack'], ...state })}>{() => <input aria-label="Typed" />}</QueryView>
    );
    const { rerender } = render(view({}));
    await userEvent.type(screen.getByLabelText('Typed'), '35');
    rerender(view({ isError: true, error: new Error('503') }));
    expect(screen.getByRole('status', { name: 'Could not refresh' })).toBeTruthy();
    expect((screen.getByLabelText('Typed') as HTMLInputElement).value).toBe('35');
    rerender(view({}));
    expect(screen.queryByRole('status', { name: 'Could not refresh' })).toBeNull();
    expect((screen.getByLabelText('Typed') as HTMLInputElement).value).toBe('35');
  });

  it('says it is trying again while a refresh runs, and still lets the user retry at once', async () => {
    const query = aQuery<string[]>({ isError: true, error: new Error('x'), data: [], isFetching: true });
    render(<QueryView query={query}>{names}</QueryView>);
    expect(screen.getByRole('status', { name: 'Could not refresh' }).textContent).toContain('Trying again…');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(query.refetch).toHaveBeenCalledTimes(1);
  });
});
