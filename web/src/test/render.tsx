import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import type { RolloutDefaults } from '../api/rollouts';
import type { FlagConfigView, FlagView } from '../api/flags';
import type { SegmentView } from '../api/segments';

/**
 * `ui` with a fresh query client, on a memory data router like the console's own (mount.tsx), so that
 * blockers (UnsavedChangesGuard) behave as in the browser; every path renders `ui`.
 */
export const renderWithClient = (ui: ReactElement) => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false }, mutations: { retry: false } } });
  const router = createMemoryRouter([{ path: '*', element: ui }]);
  return render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
};

type Handler = (method: string, path: string, body: unknown) => { status: number; body?: unknown } | undefined;

/**
 * The API as seen by `api/client.ts`: answers by method and path (without `/api/v1`, with the query
 * string); unknown requests answer 404.
 */
export const stubApi = (handler: Handler) => {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchStub = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(input, location.origin), init);
    const url = new URL(request.url);
    const path = `${url.pathname}${url.search}`.replace(/^\/api\/v1/, '');
    const text = await request.text();
    const body = text ? JSON.parse(text) : undefined;
    calls.push({ method: request.method, path, body });
    const answer = handler(request.method, path, body) ?? { status: 404, body: { error: 'NOT_FOUND', message: 'not stubbed' } };
    return new Response(answer.status === 204 ? null : JSON.stringify(answer.body ?? {}), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchStub);
  return calls;
};

export const aConfig = (overrides: Partial<FlagConfigView> = {}): FlagConfigView => ({
  environment: 'production',
  on: true,
  killed: false,
  kill: null,
  offVariant: 'off',
  targets: [],
  rules: [],
  defaultRule: { variant: 'on' },
  prerequisites: [],
  version: 3,
  updatedAt: '2026-11-20T10:00:00.000Z',
  ...overrides,
});

export const aFlag = (config: FlagConfigView = aConfig()): FlagView => ({
  key: 'etl.use-new-transformer',
  name: 'Use the new transformer',
  description: '',
  owner: 'data-platform',
  tags: ['etl'],
  kind: 'boolean',
  variants: [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ],
  lifecycle: 'temporary',
  expiresAt: null,
  archived: false,
  archivedAt: null,
  version: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  environments: { [config.environment]: config },
});

export const SEGMENTS: SegmentView[] = [
  { key: 'beta-testers', name: 'Beta testers', description: '', included: [], excluded: [], rules: [], version: 1, updatedAt: '2026-11-01T00:00:00.000Z' },
  {
    key: 'prod-pipelines',
    name: 'Production pipelines',
    description: '',
    included: [],
    excluded: [],
    rules: [],
    version: 1,
    updatedAt: '2026-11-01T00:00:00.000Z',
  },
];

/** What GET /rollout-plans/defaults answers (two stages keep the tests short). */
export const rolloutDefaults = (): RolloutDefaults => ({
  stages: [
    { percent: 1, minDurationMinutes: 30, minSamples: 100 },
    { percent: 5, minDurationMinutes: 60, minSamples: 100 },
    { percent: 100, minDurationMinutes: 0, minSamples: 0 },
  ],
  guards: {
    errorMetric: 'model.latency_ms',
    maxErrorRateRatio: 2,
    errorRateAllowance: 0.005,
    latencyMetric: 'model.latency_ms',
    maxLatencyRatio: 1.5,
    minLatencyIncreaseMs: 1,
    bounds: [],
    minSamples: 50,
    baselineMinutes: 60,
  },
});
