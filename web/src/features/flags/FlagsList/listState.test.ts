import { describe, expect, it } from 'vitest';
import { listStateOf, toFlagSearch, withListState } from './listState';

describe('list state in the URL', () => {
  it('reads defaults from an empty URL and falls back on values it cannot mean', () => {
    expect(listStateOf(new URLSearchParams())).toEqual({ q: '', tag: '', owner: '', status: '', showArchived: false, sort: 'key', order: 'asc' });
    expect(listStateOf(new URLSearchParams('sort=colour&order=up&status=maybe'))).toMatchObject({ sort: 'key', order: 'asc', status: '' });
    expect(listStateOf(new URLSearchParams('sort=changed')).order).toBe('desc');
  });

  it('round-trips a state through the URL, leaving defaults out and other parameters alone', () => {
    const params = withListState(new URLSearchParams('tab=x'), { q: 'step-04', sort: 'name', order: 'desc', status: 'killed', showArchived: true });
    expect(params.toString()).toBe('tab=x&q=step-04&status=killed&archived=all&sort=name&order=desc');
    expect(listStateOf(params)).toEqual({ q: 'step-04', tag: '', owner: '', status: 'killed', showArchived: true, sort: 'name', order: 'desc' });
    expect(withListState(params, { q: '', sort: 'key', order: 'asc', status: '', showArchived: false }).toString()).toBe('tab=x');
  });

  it('asks the server for the status in the current environment, and for stale flags by their own filter', () => {
    const state = listStateOf(new URLSearchParams('status=on&q=%20etl%20'));
    expect(toFlagSearch(state, 'production')).toMatchObject({ q: 'etl', status: 'on', environment: 'production' });
    const stale = toFlagSearch(listStateOf(new URLSearchParams('status=stale')), 'production');
    expect(stale).toMatchObject({ stale: true });
    expect(stale).not.toHaveProperty('status');
  });
});
