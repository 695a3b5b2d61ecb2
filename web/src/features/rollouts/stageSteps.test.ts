import { describe, expect, it } from 'vitest';
import { stageSteps } from './stageSteps';

const plan = {
  currentStage: 1,
  stages: [
    { percent: 1, minDurationMinutes: 30, minSamples: 100 },
    { percent: 5, minDurationMinutes: 60, minSamples: 100 },
    { percent: 100, minDurationMinutes: 0, minSamples: 0 },
  ],
};

describe('stageSteps', () => {
  it('marks stages before the current one done', () => {
    expect(stageSteps({ ...plan, status: 'running' }).map((s) => s.state)).toEqual(['done', 'current', 'next']);
    expect(stageSteps({ ...plan, status: 'completed' }).map((s) => s.state)).toEqual(['done', 'done', 'done']);
  });
});
