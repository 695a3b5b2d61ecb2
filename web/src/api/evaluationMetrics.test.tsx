import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubApi } from '../test/render';
import { bucketBounds, useEvaluationBuckets } from './evaluationMetrics';

afterEach(() => vi.unstubAllGlobals());

const wrapper = ({ children }: { children: ReactNode }) => (
  <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false } } })}>{children}</QueryClientProvider>
);

describe('useEvaluationBuckets', () => {
  it("asks for the whole range once, in steps of the bucket size, and returns the server's steps", async () => {
    const steps = bucketBounds('24h', Date.now()).map(({ start, end }, i) => ({
      start,
      end,
      counts: i === 23 ? [{ flag: 'f', variant: 'on', reason: 'STATIC', count: 7 }] : [],
    }));
    const calls = stubApi((method, path) =>
      method === 'GET' && path.startsWith('/projects/demo/environments/production/telemetry/evaluations')
        ? { status: 200, body: { evaluations: [], steps } }
        : undefined,
    );
    const { result } = renderHook(() => useEvaluationBuckets('demo', 'production', '24h', 'f'), { wrapper });
    await waitFor(() => expect(result.current.data).toBeDefined());
    expect(calls).toHaveLength(1);
    const query = new URLSearchParams(calls[0]!.path.split('?')[1]);
    expect(query.get('stepMinutes')).toBe('60');
    expect(query.get('flag')).toBe('f');
    expect(Date.parse(query.get('to')!) - Date.parse(query.get('from')!)).toBe(24 * 3_600_000);
    expect(result.current.data).toHaveLength(24);
    expect(result.current.data![23]!.counts[0]!.count).toBe(7);
  });
});
