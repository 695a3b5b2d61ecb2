import { useQuery } from '@tanstack/react-query';
import { queryKeys } from './queryKeys';

export interface Capabilities {
  /** POST /projects/:p/flags/:key/kill — kill in several environments at once. */
  multiEnvironmentKill: boolean;
  /** GET /projects/:p/flags/stale — why a flag is stale. */
  staleReport: boolean;
  /** Per-flag evaluation counts over time. */
  evaluationMetrics: boolean;
  webhooks: boolean;
  triggers: boolean;
  rolloutPlans: boolean;
  experiments: boolean;
  /** GET …/flags/:key/environments/:env/shadow-report — how a shadowed candidate compares. */
  shadowReport: boolean;
}

const NONE: Capabilities = {
  multiEnvironmentKill: false,
  staleReport: false,
  evaluationMetrics: false,
  webhooks: false,
  triggers: false,
  rolloutPlans: false,
  experiments: false,
  shadowReport: false,
};

export const capabilitiesOf = (paths: string[]): Capabilities => {
  const has = (pattern: RegExp) => paths.some((path) => pattern.test(path));
  return {
    multiEnvironmentKill: has(/^\/api\/v1\/projects\/\{projectKey\}\/flags\/\{key\}\/kill$/),
    staleReport: has(/\/flags\/stale$/),
    evaluationMetrics: has(/\/(evaluations|telemetry)/),
    webhooks: has(/\/webhooks/),
    triggers: has(/\/triggers/),
    rolloutPlans: has(/\/rollout-plans|\/rollouts/),
    experiments: has(/\/experiments/),
    shadowReport: has(/\/shadow-report$/),
  };
};

/**
 * Parts of the API are still being built; the console asks the server's OpenAPI document which exist
 * so a page whose API is missing says so instead of failing.
 */
export const useCapabilities = (): Capabilities => {
  const { data } = useQuery({
    queryKey: queryKeys.capabilities,
    queryFn: async () => {
      // The OpenAPI document lives outside /api/v1, so this is the one request that does not go through `request`.
      const res = await fetch('/api/docs-json', { credentials: 'same-origin' });
      if (!res.ok) return NONE;
      const doc = (await res.json()) as { paths?: Record<string, unknown> };
      return capabilitiesOf(Object.keys(doc.paths ?? {}));
    },
    staleTime: 5 * 60_000,
  });
  return data ?? NONE;
};
