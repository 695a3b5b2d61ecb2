import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ShadowReport as ShadowReportData } from '../../../api/shadowReports';
import type { EnvironmentView } from '../../../api/projects';
import { renderWithClient, stubApi } from '../../../test/render';
import { ShadowReport } from './ShadowReport';

const environment = { key: 'development', name: 'Development' } as EnvironmentView;
const side = { count: 300, p50: 2.3, p95: 2.7, errors: 0, errorRate: 0 };

const aReport = (checks: ShadowReportData['checks']): ShadowReportData => ({
  flag: 'model.v2-shadow',
  environment: 'development',
  variant: null,
  from: '2026-11-22T10:00:00.000Z',
  to: '2026-11-23T10:00:00.000Z',
  samples: 300,
  comparisons: 300,
  agreementRate: 0.873,
  primary: side,
  candidate: side,
  examples: [],
  recommendation: 'collect-more-samples',
  checks,
  notes: [],
});

afterEach(() => vi.unstubAllGlobals());

describe('ShadowReport', () => {
  it('says a sample count short of the minimum is still collecting, and a failed check fails', async () => {
    stubApi((method, path) =>
      method === 'GET' && path.includes('/shadow-report')
        ? {
            status: 200,
            body: aReport([
              { name: 'samples', passed: false, detail: '300 of 1000 samples' },
              { name: 'errors', passed: true, detail: 'candidate error rate 0.0%' },
              { name: 'agreement', passed: false, detail: 'agreement 80.0% (needs ≥ 85.0%)' },
            ]),
          }
        : undefined,
    );
    renderWithClient(<ShadowReport project="demo" flag="model.v2-shadow" environment={environment} />);
    const checks = within(await screen.findByRole('list', { name: 'Checks' })).getAllByRole('listitem');
    expect(checks.map((c) => c.textContent)).toEqual([
      'collecting samples: 300 of 1000 samples',
      'pass errors: candidate error rate 0.0%',
      'fail agreement: agreement 80.0% (needs ≥ 85.0%)',
    ]);
  });
});
