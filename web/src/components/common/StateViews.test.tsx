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
});
