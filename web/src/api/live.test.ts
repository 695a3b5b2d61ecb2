import { describe, expect, it } from 'vitest';
import { type ConsoleChange, projectMatcher, staleMatcher } from './live';
import { queryKeys } from './queryKeys';

type ProjectChange = Extract<ConsoleChange, { project: string }>;

const change = (overrides: Partial<ProjectChange>): ConsoleChange => ({
  project: 'p',
  environment: 'production',
  kind: 'flag',
  key: 'etl.step',
  sequence: 7,
  action: null,
  ...overrides,
});

const adminChange = (kind: 'user' | 'token' | 'webhook', project: string | null = null): ConsoleChange => ({
  kind,
  project,
  environment: null,
  key: 'k',
  sequence: null,
  action: `${kind}.created`,
});

/** The audit list as the console asks for it: filtered to a project, or to none. */
const auditList = (project?: string) => [...queryKeys.audit, project === undefined ? {} : { project }, 25];

describe('which cached queries a pushed change makes stale', () => {
  it("refreshes the changed flag's page, every flags list and the project's history, but not other flags' pages", () => {
    const stale = staleMatcher(change({}));
    expect(stale(queryKeys.flag('p', 'etl.step'))).toBe(true);
    expect(stale([...queryKeys.flags('p'), 'list', {}])).toBe(true);
    expect(stale([...queryKeys.flags('p'), 'search', { q: 'etl' }])).toBe(true);
    expect(stale(auditList('p'))).toBe(true);
    expect(stale(auditList())).toBe(true);
    expect(stale(queryKeys.delivery('p', 'production'))).toBe(true);
    expect(stale(queryKeys.rolloutPlans('p', 'etl.step', 'production'))).toBe(true);
    expect(stale(auditList('q'))).toBe(false);
    expect(stale(queryKeys.flag('p', 'other.flag'))).toBe(false);
    expect(stale(queryKeys.delivery('p', 'development'))).toBe(false);
    expect(stale(queryKeys.flags('q'))).toBe(false);
    expect(stale(queryKeys.segments('p'))).toBe(false);
  });

  it("refreshes the project's change requests on a flag change (one may have been applied, others left stale)", () => {
    const stale = staleMatcher(change({}));
    expect(stale([...queryKeys.changeRequests('p'), 'list', { status: 'pending' }])).toBe(true);
    expect(stale([...queryKeys.changeRequests('p'), 'detail', 3])).toBe(true);
    expect(stale([...queryKeys.changeRequests('q'), 'detail', 3])).toBe(false);
  });

  it('refreshes the lists and the page on a flag created, renamed or archived (no environment)', () => {
    const stale = staleMatcher(change({ environment: null, sequence: null, action: 'flag.archived' }));
    expect(stale([...queryKeys.flags('p'), 'search', { status: 'active' }])).toBe(true);
    expect(stale([...queryKeys.flags('p'), 'stale-report'])).toBe(true);
    expect(stale(queryKeys.flag('p', 'etl.step'))).toBe(true);
    expect(stale(queryKeys.rolloutPlans('p', 'etl.step', 'production'))).toBe(false);
    expect(stale(queryKeys.delivery('p', 'production'))).toBe(false);
  });

  it('refreshes segments on a segment change, and the project list on a project, environment or SDK key change', () => {
    expect(staleMatcher(change({ kind: 'segment', key: 'beta' }))(queryKeys.segments('p'))).toBe(true);
    expect(staleMatcher(change({ kind: 'segment', key: 'beta' }))(queryKeys.flag('p', 'etl.step'))).toBe(false);
    expect(staleMatcher(change({ kind: 'environment', environment: null, key: 'qa' }))(queryKeys.projects)).toBe(true);
    expect(staleMatcher(change({ kind: 'project', environment: null, key: 'p' }))(queryKeys.projects)).toBe(true);
    const rotated = staleMatcher(change({ kind: 'sdk-key', key: 'production', action: 'sdk-key.rotated' }));
    expect(rotated(queryKeys.projects)).toBe(true);
    expect(rotated(queryKeys.delivery('p', 'production'))).toBe(true);
    expect(rotated([...queryKeys.flags('p'), 'list', {}])).toBe(false);
  });

  it('refreshes the plans and the flag on a rollout change, and experiments and the flag on an experiment change', () => {
    const rollout = staleMatcher(change({ kind: 'rollout', sequence: null, action: 'rollout.paused' }));
    expect(rollout(queryKeys.rolloutPlans('p', 'etl.step', 'production'))).toBe(true);
    expect(rollout(queryKeys.flag('p', 'etl.step'))).toBe(true);
    expect(rollout(auditList('p'))).toBe(true);
    expect(rollout(queryKeys.rolloutPlans('p', 'etl.step', 'development'))).toBe(false);
    expect(rollout(queryKeys.experiments('p'))).toBe(false);
    const experiment = staleMatcher(change({ kind: 'experiment', sequence: null, action: 'experiment.promoted' }));
    expect(experiment([...queryKeys.experiments('p'), 'list', {}])).toBe(true);
    expect(experiment([...queryKeys.experiments('p'), 'results', 'checkout-a'])).toBe(true);
    expect(experiment(queryKeys.flag('p', 'etl.step'))).toBe(true);
    expect(experiment(queryKeys.rolloutPlans('p', 'etl.step', 'production'))).toBe(false);
  });

  it("refreshes the triggers of the trigger's environment", () => {
    const stale = staleMatcher(change({ kind: 'trigger', key: 'a-trigger-id', action: 'trigger.created' }));
    expect(stale(queryKeys.triggers('p', 'etl.step', 'production'))).toBe(true);
    expect(stale(queryKeys.triggers('p', 'other.flag', 'production'))).toBe(true);
    expect(stale(queryKeys.triggers('p', 'etl.step', 'development'))).toBe(false);
    expect(stale(queryKeys.triggers('q', 'etl.step', 'production'))).toBe(false);
  });

  it('refreshes users, tokens and webhooks on their changes, and only the history that can list them', () => {
    expect(staleMatcher(adminChange('user'))(queryKeys.users)).toBe(true);
    expect(staleMatcher(adminChange('user'))(queryKeys.tokens)).toBe(false);
    expect(staleMatcher(adminChange('user'))(auditList())).toBe(true);
    // Users belong to no project: a history filtered to one does not show them.
    expect(staleMatcher(adminChange('user'))(auditList('p'))).toBe(false);
    expect(staleMatcher(adminChange('token'))(queryKeys.tokens)).toBe(true);
    expect(staleMatcher(adminChange('token'))(queryKeys.users)).toBe(false);
    const webhook = staleMatcher(adminChange('webhook', 'p'));
    expect(webhook(queryKeys.webhooks)).toBe(true);
    expect(webhook([...queryKeys.webhooks, 'w-1', 'deliveries'])).toBe(true);
    expect(webhook(auditList('p'))).toBe(true);
    expect(webhook(queryKeys.flags('p'))).toBe(false);
  });

  it("after a reconnect refreshes everything of the project and the access pages, and nothing of another project's", () => {
    const all = projectMatcher('p');
    expect(all(queryKeys.flag('p', 'x'))).toBe(true);
    expect(all(queryKeys.telemetry('p', 'production', 'evaluations'))).toBe(true);
    expect(all(queryKeys.projects)).toBe(true);
    expect(all(queryKeys.users)).toBe(true);
    expect(all(queryKeys.webhooks)).toBe(true);
    expect(all(queryKeys.flag('q', 'x'))).toBe(false);
  });
});
