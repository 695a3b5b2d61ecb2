import { describe, expect, it } from 'vitest';
import { rolloutDefaults } from '../../test/render';
import { customizedFrom, newPlanDraft, planRequest } from './planDraft';

const DEFAULTS = rolloutDefaults();

describe('planDraft', () => {
  it('customizing starts from the defaults the server gave', () => {
    const draft = customizedFrom(newPlanDraft(['off', 'on'], 'boolean'), DEFAULTS);
    expect(draft.stages).toEqual([
      { percent: '1', minDurationMinutes: '30', minSamples: '100' },
      { percent: '5', minDurationMinutes: '60', minSamples: '100' },
      { percent: '100', minDurationMinutes: '0', minSamples: '0' },
    ]);
    expect(draft.guards).toMatchObject({ maxErrorRateRatio: '2', minSamples: '50' });
    expect(planRequest(draft).plan!.stages).toEqual(DEFAULTS.stages);
  });

  it('sends only the variants when not customized, so the server applies its defaults', () => {
    expect(planRequest(newPlanDraft(['off', 'on'], 'boolean'))).toEqual({ errors: {}, plan: { candidateVariant: 'on', controlVariant: 'off' } });
    expect(newPlanDraft(['v1', 'v2'], 'string')).toMatchObject({ candidateVariant: 'v2', controlVariant: 'v1' });
  });

  it('sends the stages and guards as numbers when customized', () => {
    const draft = customizedFrom(newPlanDraft(['off', 'on'], 'boolean'), DEFAULTS);
    draft.stages = [
      { percent: '2.5', minDurationMinutes: '15', minSamples: '40' },
      { percent: '100', minDurationMinutes: '0', minSamples: '0' },
    ];
    draft.guards = { ...draft.guards, errorMetric: ' step.duration_ms ', maxErrorRateRatio: '1.5' };
    const { plan } = planRequest(draft);
    expect(plan!.stages).toEqual([
      { percent: 2.5, minDurationMinutes: 15, minSamples: 40 },
      { percent: 100, minDurationMinutes: 0, minSamples: 0 },
    ]);
    // The latency metric is still the server's choice: left out, so the server keeps choosing it.
    expect(plan!.guards).toEqual({
      errorMetric: 'step.duration_ms',
      maxErrorRateRatio: 1.5,
      errorRateAllowance: 0.005,
      maxLatencyRatio: 1.5,
      minSamples: 50,
    });
  });

  it('names each field to fix with the path the API uses', () => {
    const draft = customizedFrom(newPlanDraft(['off', 'on'], 'boolean'), DEFAULTS);
    draft.stages = [{ percent: 'five', minDurationMinutes: '1.5', minSamples: '' }];
    draft.guards = { ...draft.guards, latencyMetric: ' ', minSamples: '2.5' };
    const { plan, errors } = planRequest({ ...draft, controlVariant: 'on' });
    expect(plan).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual([
      'candidateVariant',
      'guards.latencyMetric',
      'guards.minSamples',
      'stages[0].minDurationMinutes',
      'stages[0].minSamples',
      'stages[0].percent',
    ]);
  });
});
