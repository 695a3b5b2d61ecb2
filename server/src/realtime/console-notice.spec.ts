import { describe, expect, it } from 'vitest';
import { changeOfNotice, rolloutNotice } from './console-notice.js';

const notice = (overrides: Record<string, unknown>) => ({
  project: 'p',
  environment: null,
  resourceType: 'flag',
  key: 'etl.step',
  action: 'flag.archived',
  ...overrides,
});

describe('what a console is told of an audited change', () => {
  it('names the resource, where, and the action', () => {
    expect(changeOfNotice(notice({}))).toEqual({ kind: 'flag', project: 'p', environment: null, key: 'etl.step', sequence: null, action: 'flag.archived' });
    expect(changeOfNotice(notice({ resourceType: 'segment', key: 'beta', action: 'segment.updated' }))).toMatchObject({ kind: 'segment', key: 'beta' });
    expect(changeOfNotice(notice({ resourceType: 'sdk-key', environment: 'production', key: 'production', action: 'sdk-key.rotated' }))).toMatchObject({
      kind: 'sdk-key',
      environment: 'production',
    });
  });

  it('tells rollout plans and experiments, recorded against their flag, by their action', () => {
    expect(changeOfNotice(notice({ environment: 'production', action: 'rollout.paused' }))).toMatchObject({ kind: 'rollout', key: 'etl.step' });
    expect(changeOfNotice(rolloutNotice({ projectKey: 'p', environmentKey: 'production', flagKey: 'etl.step' }, 'rollout.rolled_back'))).toEqual({
      kind: 'rollout',
      project: 'p',
      environment: 'production',
      key: 'etl.step',
      sequence: null,
      action: 'rollout.rolled_back',
    });
    expect(changeOfNotice(notice({ environment: 'production', action: 'experiment.promoted' }))).toMatchObject({ kind: 'experiment', key: 'etl.step' });
  });

  it('names users and tokens without a project, and keeps a webhook’s project', () => {
    expect(changeOfNotice(notice({ project: null, resourceType: 'user', key: 'a@example.com', action: 'user.updated' }))).toEqual({
      kind: 'user',
      project: null,
      environment: null,
      key: 'a@example.com',
      sequence: null,
      action: 'user.updated',
    });
    expect(changeOfNotice(notice({ resourceType: 'webhook', key: 'w-1', action: 'webhook.created' }))).toMatchObject({ kind: 'webhook', project: 'p' });
  });

  it('ignores what is not a notice: a reconnect, a project change without a project, an unknown kind, wrong types', () => {
    expect(changeOfNotice({ reconnected: true })).toBeUndefined();
    expect(changeOfNotice(notice({ project: null }))).toBeUndefined();
    expect(changeOfNotice(notice({ resourceType: 'planet' }))).toBeUndefined();
    expect(changeOfNotice(notice({ key: 3 }))).toBeUndefined();
    expect(changeOfNotice(notice({ environment: 7 }))).toBeUndefined();
    expect(changeOfNotice(null)).toBeUndefined();
    expect(changeOfNotice('flag')).toBeUndefined();
  });
});
