export const queryKeys = {
  me: ['me'] as const,
  projects: ['projects'] as const,
  flags: (project: string) => ['flags', project] as const,
  flag: (project: string, key: string) => ['flags', project, 'detail', key] as const,
  segments: (project: string) => ['segments', project] as const,
  audit: ['audit'] as const,
  tokens: ['tokens'] as const,
  users: ['users'] as const,
  delivery: (project: string, env: string) => ['delivery', project, env] as const,
  telemetry: (project: string, env: string, ...rest: string[]) => ['telemetry', project, env, ...rest] as const,
  triggers: (project: string, flag: string, env: string) => ['triggers', project, flag, env] as const,
  webhooks: ['webhooks'] as const,
  experiments: (project: string) => ['experiments', project] as const,
  rolloutPlans: (project: string, flag: string, env: string) => ['rollout-plans', project, flag, env] as const,
  shadowReport: (project: string, flag: string, env: string) => ['shadow-report', project, flag, env] as const,
};

/**
 * @deprecated The console is live by push (api/live.ts); nothing should poll at this rate. Kept
 * only until the flags list (flagList.ts) drops its polling.
 */
export const LIVE_REFRESH_MS = 2000;
