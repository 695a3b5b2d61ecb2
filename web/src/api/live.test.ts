import { describe, expect, it } from 'vitest';
import { type ConsoleChange, projectMatcher, staleMatcher } from './live';
import { queryKeys } from './queryKeys';

const change = (overrides: Partial<ConsoleChange>): ConsoleChange => ({
  project: 'p',
  environment: 'production',
  kind: 'flag',
  key: 'etl.step',
  sequence: 7,
  ...overrides,
});

describe('which cached queries a pushed change makes stale', () => {
  it("refreshes the changed flag's page, every flags list and the history, but not other flags' pages", () => {
    const stale = staleMatcher(change({}));
    expect(stale(queryKeys.flag('p', 'etl.step'))).toBe(true);
    expect(stale([...queryKeys.flags('p'), 'list', {}])).toBe(true);
    expect(stale([...queryKeys.flags('p'), 'search', { q: 'etl' }])).toBe(true);
    expect(stale([...queryKeys.audit, {}, 25])).toBe(true);
    expect(stale(queryKeys.delivery('p', 'production'))).toBe(true);
    expect(stale(queryKeys.rolloutPlans('p', 'etl.step', 'production'))).toBe(true);
    expect(stale(queryKeys.flag('p', 'other.flag'))).toBe(false);
    expect(stale(queryKeys.delivery('p', 'development'))).toBe(false);
    expect(stale(queryKeys.flags('q'))).toBe(false);
    expect(stale(queryKeys.segments('p'))).toBe(false);
  });

  it('refreshes segments on a segment change and the project list on an environment change', () => {
    expect(staleMatcher(change({ kind: 'segment', key: 'beta' }))(queryKeys.segments('p'))).toBe(true);
    expect(staleMatcher(change({ kind: 'segment', key: 'beta' }))(queryKeys.flag('p', 'etl.step'))).toBe(false);
    expect(staleMatcher(change({ kind: 'environment', environment: null, key: 'qa' }))(queryKeys.projects)).toBe(true);
  });

  it('refreshes the plans and the flag on a rollout change, and experiments on an experiment change', () => {
    const rollout = staleMatcher(change({ kind: 'rollout', sequence: null }));
    expect(rollout(queryKeys.rolloutPlans('p', 'etl.step', 'production'))).toBe(true);
    expect(rollout(queryKeys.flag('p', 'etl.step'))).toBe(true);
    expect(rollout(queryKeys.rolloutPlans('p', 'etl.step', 'development'))).toBe(false);
    expect(staleMatcher(change({ kind: 'experiment', key: 'exp' }))([...queryKeys.experiments('p'), 'results', 'exp'])).toBe(true);
  });

  it("after a reconnect refreshes everything of the project, and nothing of another project's", () => {
    const all = projectMatcher('p');
    expect(all(queryKeys.flag('p', 'x'))).toBe(true);
    expect(all(queryKeys.telemetry('p', 'production', 'evaluations'))).toBe(true);
    expect(all(queryKeys.projects)).toBe(true);
    expect(all(queryKeys.flag('q', 'x'))).toBe(false);
  });
});
