import type { RolloutPlan } from '../../api/rollouts';

/** Stages as steps: done, current, or still to come. */
export const stageSteps = (plan: Pick<RolloutPlan, 'stages' | 'currentStage' | 'status'>): { percent: number; state: 'done' | 'current' | 'next' }[] =>
  plan.stages.map((s, i) => ({
    percent: s.percent,
    state: plan.status === 'completed' || i < plan.currentStage ? 'done' : i === plan.currentStage ? 'current' : 'next',
  }));
