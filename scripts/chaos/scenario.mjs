// What the run writes to: one project with one environment, its SDK key, and the flags the
// changes spread over. Created through the management API like any operator would.
import { expectOk } from './api.mjs';

export const PROJECT = 'chaos';
export const ENVIRONMENT = 'chaos';

export const createScenario = async ({ api, instance, flagCount }) => {
  const created = expectOk(
    'POST /projects',
    await api.post(instance.url, '/projects', { key: PROJECT, name: 'Chaos test', environments: [{ key: ENVIRONMENT, name: 'Chaos' }] }),
  );
  const sdkKey = created.sdkKeys?.[ENVIRONMENT];
  if (!sdkKey) throw new Error(`POST /projects returned no SDK key for ${ENVIRONMENT}: ${JSON.stringify(created).slice(0, 300)}`);
  const flagKeys = Array.from({ length: flagCount }, (_, i) => `chaos.flag-${i}`);
  for (const key of flagKeys) {
    expectOk(`POST /projects/${PROJECT}/flags (${key})`, await api.post(instance.url, `/projects/${PROJECT}/flags`, { key, name: key, kind: 'boolean' }));
  }
  return { project: PROJECT, environment: ENVIRONMENT, sdkKey, flagKeys };
};
