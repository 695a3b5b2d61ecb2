import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { startTestApp, type TestApp } from '../../test/test-app.js';

/**
 * `@FlagEnvironment()` reads three path parameters itself, so the global pipe's check for what
 * PostgreSQL cannot store (U+0000, unpaired surrogates) never saw them: `%00` in any of them
 * reached a query and answered 500 on every trigger and rollout-plan route.
 */
describe('@FlagEnvironment() path parameters', () => {
  let t: TestApp;
  const id = '00000000-0000-4000-8000-000000000000';
  const routes: Array<[method: 'get' | 'post' | 'patch' | 'delete', suffix: string, body?: Record<string, unknown>]> = [
    ['get', 'triggers'],
    ['post', 'triggers', { name: 'alerts' }],
    ['patch', `triggers/${id}`, { name: 'x' }],
    ['post', `triggers/${id}/disable`],
    ['post', `triggers/${id}/enable`],
    ['post', `triggers/${id}/rotate`],
    ['delete', `triggers/${id}`],
    ['get', 'rollout-plans'],
    ['post', 'rollout-plans', { candidateVariant: 'on', controlVariant: 'off' }],
    ['get', `rollout-plans/${id}`],
    ['post', `rollout-plans/${id}/pause`, {}],
    ['post', `rollout-plans/${id}/resume`, {}],
    ['post', `rollout-plans/${id}/advance`, {}],
    ['post', `rollout-plans/${id}/abort`, {}],
  ];
  const bad: Array<[segment: string, shown: string]> = [
    ['%00', 'NUL'],
    ['a%00b', 'NUL inside'],
  ];

  beforeAll(async () => {
    t = await startTestApp();
    await aProject(t.http, t.admin, 'paths');
    await aBooleanFlag(t.http, t.admin, 'paths', 'paths.flag');
  });
  afterAll(() => t.close());

  it.each(['projectKey', 'key', 'environmentKey'])(
    'answers a NUL character in :%s with 400 naming it, on every trigger and rollout-plan route',
    async (param) => {
      for (const [segment, shown] of bad) {
        const parts = { projectKey: 'paths', key: 'paths.flag', environmentKey: 'development', [param]: segment };
        for (const [method, suffix, body] of routes) {
          const path = `/api/v1/projects/${parts.projectKey}/flags/${parts.key}/environments/${parts.environmentKey}/${suffix}`;
          const res = await t.http[method](path).set(t.admin).send(body);
          const label = `${method.toUpperCase()} ${path} (${shown})`;
          expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(400);
          expect(res.body, label).toMatchObject({ error: 'VALIDATION_FAILED', requestId: expect.any(String) });
          expect(res.body.details, label).toEqual([{ field: param, reason: 'must not contain U+0000 or unpaired surrogate characters' }]);
        }
      }
    },
  );

  it('still serves the routes with well-formed parameters', async () => {
    const base = '/api/v1/projects/paths/flags/paths.flag/environments/development';
    expect((await t.http.get(`${base}/triggers`).set(t.admin)).status).toBe(200);
    expect((await t.http.get(`${base}/rollout-plans`).set(t.admin)).status).toBe(200);
    expect((await t.http.get('/api/v1/projects/paths/flags/no.such/environments/development/triggers').set(t.admin)).status).toBe(404);
  });
});
