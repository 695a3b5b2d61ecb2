import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useMe } from '../../../api/auth';
import type { FlagView } from '../../../api/flags';
import type { ProjectView } from '../../../api/projects';
import type { Role } from '../../../api/access';
import { aFlag, stubApi } from '../../../test/render';
import { FlagPage } from './FlagPage';

const production = { key: 'production', name: 'Production', requireChangeReason: true, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const project: ProjectView = { key: 'demo', name: 'Demo', description: '', environments: [production], createdAt: '2026-11-01T00:00:00.000Z' };
const KEY = 'etl.use-new-transformer';
const FLAG_PATH = `/projects/demo/flags/${KEY}`;

/** Says when the signed-in role has loaded: until then every page treats the user as a viewer. */
const RoleLoaded = () => {
  const { data } = useMe();
  return data ? <p>signed in as {data.role}</p> : null;
};

const SHADOW_REPORT_PATH = `${FLAG_PATH}/environments/production/shadow-report`;

/** What the server reports of a flag's shadow comparisons: here only how many there were matters. */
const shadowReport = (samples: number) => {
  const side = { count: samples, errors: 0, errorRate: samples > 0 ? 0 : null, p50: null, p95: null };
  return {
    flag: KEY,
    environment: 'production',
    variant: null,
    from: '2026-11-14T00:00:00.000Z',
    to: '2026-11-21T00:00:00.000Z',
    samples,
    comparisons: samples,
    agreementRate: samples > 0 ? 1 : null,
    primary: side,
    candidate: side,
    examples: [],
    recommendation: 'collect-more-samples',
    checks: [],
    notes: [],
  };
};

/**
 * The flag page of a flag the stub API keeps, as the given role; archive, unarchive and delete change it.
 * With `shadowSamples` the server reports that many shadowed calls of the flag.
 */
const renderFlagPage = (
  role: Role,
  initial: FlagView,
  { tab, archive, shadowSamples }: { tab?: string; archive?: () => { status: number; body?: unknown }; shadowSamples?: number } = {},
) => {
  let flag: FlagView | null = initial;
  const calls = stubApi((method, path) => {
    if (path === '/auth/me') return { status: 200, body: { kind: 'user', name: role, role } };
    if (shadowSamples !== undefined && method === 'GET' && path.startsWith(`${SHADOW_REPORT_PATH}?`)) return { status: 200, body: shadowReport(shadowSamples) };
    if (method === 'GET' && path === FLAG_PATH) return flag ? { status: 200, body: flag } : undefined;
    if (method === 'GET' && path === '/projects/demo/flags/stale')
      return { status: 200, body: { generatedAt: '2026-11-21T00:00:00.000Z', singleVariantHours: 24, unusedDays: 30, notEvaluated: [], flags: [] } };
    if (method === 'POST' && path === `${FLAG_PATH}/archive`) {
      if (archive) return archive();
      flag = { ...flag!, archived: true, archivedAt: '2026-11-21T09:00:00.000Z', version: flag!.version + 1 };
      return { status: 200, body: flag };
    }
    if (method === 'POST' && path === `${FLAG_PATH}/unarchive`) {
      flag = { ...flag!, archived: false, archivedAt: null, version: flag!.version + 1 };
      return { status: 200, body: flag };
    }
    if (method === 'DELETE' && path.startsWith(FLAG_PATH)) {
      flag = null;
      return { status: 204 };
    }
    return method === 'GET' ? { status: 200, body: [] } : undefined;
  });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[`/demo/production/flags/${KEY}${tab ? `?tab=${tab}` : ''}`]}>
        <Routes>
          <Route path="/demo/production/flags" element={<h1>All flags</h1>} />
          <Route
            path="/demo/production/flags/:flagKey"
            element={
              <>
                <RoleLoaded />
                <FlagPage project={project} environment={production} />
              </>
            }
          />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return calls;
};

const archivedFlag = () => ({ ...aFlag(), archived: true, archivedAt: '2026-11-21T09:00:00.000Z', version: 2 });

describe('FlagPage: archiving', () => {
  it('archives after confirming, with the reason, and then shows the archived banner instead of the kill switch', async () => {
    const calls = renderFlagPage('editor', aFlag());
    await userEvent.click(await screen.findByRole('button', { name: 'Archive' }));
    const dialog = screen.getByRole('dialog', { name: `Archive ${KEY}` });
    await userEvent.type(within(dialog).getByLabelText('Reason (optional)'), 'rolled out everywhere');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Archive flag' }));

    const banner = await screen.findByRole('status', { name: 'Archived' });
    expect(within(banner).getByRole('button', { name: 'Unarchive' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Kill switch' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Archive' })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: `${FLAG_PATH}/archive`, body: { reason: 'rolled out everywhere' } }]);
  });

  it('keeps the dialog open with the reason the server refused to archive', async () => {
    renderFlagPage('editor', aFlag(), {
      archive: () => ({
        status: 409,
        body: { error: 'CONFLICT', message: `Flag '${KEY}' is a prerequisite of: etl.load-v2`, details: { flags: ['etl.load-v2'] } },
      }),
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Archive' }));
    await userEvent.click(screen.getByRole('button', { name: 'Archive flag' }));
    const dialog = screen.getByRole('dialog', { name: `Archive ${KEY}` });
    expect((await within(dialog).findByRole('alert')).textContent).toContain('is a prerequisite of: etl.load-v2');
  });

  it("shows an archived flag's targeting read-only, even to an editor (the server refuses changes)", async () => {
    renderFlagPage('editor', archivedFlag());
    await screen.findByRole('button', { name: 'Unarchive' });
    expect(screen.queryByRole('form', { name: 'Targeting in Production' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Save to/ })).toBeNull();
  });

  it('gives an editor the targeting form of an active flag', async () => {
    renderFlagPage('editor', aFlag());
    expect(await screen.findByRole('form', { name: 'Targeting in Production' })).toBeTruthy();
  });

  it('unarchives an archived flag', async () => {
    const calls = renderFlagPage('editor', archivedFlag());
    await userEvent.click(await screen.findByRole('button', { name: 'Unarchive' }));
    await userEvent.click(screen.getByRole('button', { name: 'Unarchive flag' }));
    await screen.findByRole('region', { name: 'Kill switch' });
    expect(screen.queryByRole('status', { name: 'Archived' })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`${FLAG_PATH}/unarchive`]);
  });

  it('deletes for good only once the key is typed, then goes back to the flags list', async () => {
    const calls = renderFlagPage('editor', archivedFlag());
    await userEvent.click(await screen.findByRole('button', { name: 'Delete for good' }));
    const dialog = screen.getByRole('dialog', { name: `Delete ${KEY}` });
    const submit = within(dialog).getByRole('button', { name: 'Delete for good' });
    await userEvent.type(within(dialog).getByLabelText(`Type ${KEY} to confirm`), 'etl.use-new');
    expect(submit).toHaveProperty('disabled', true);
    await userEvent.type(within(dialog).getByLabelText(`Type ${KEY} to confirm`), '-transformer');
    await userEvent.type(within(dialog).getByLabelText('Reason (optional)'), 'code removed');
    await userEvent.click(submit);

    await screen.findByRole('heading', { name: 'All flags' });
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`${FLAG_PATH}?reason=code+removed`]);
  });

  it('shows a viewer the banner, but no way to unarchive, delete or archive', async () => {
    renderFlagPage('viewer', archivedFlag());
    await screen.findByRole('status', { name: 'Archived' });
    await screen.findByText('signed in as viewer');
    expect(screen.queryByRole('button', { name: 'Unarchive' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete for good' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Archive' })).toBeNull();
  });
});

describe('FlagPage: details', () => {
  it('shows an editor the details form', async () => {
    renderFlagPage('editor', aFlag(), { tab: 'details' });
    expect(await screen.findByRole('form', { name: 'Flag details' })).toBeTruthy();
  });

  it('gives a viewer no inputs on the details tab', async () => {
    renderFlagPage('viewer', aFlag(), { tab: 'details' });
    await screen.findByRole('table', { name: `Variants of ${KEY}` });
    await screen.findByText('signed in as viewer');
    expect(screen.queryByRole('form', { name: 'Flag details' })).toBeNull();
    expect(document.querySelectorAll('input, textarea, select')).toHaveLength(0);
  });
});

describe('FlagPage: the Environments tab', () => {
  it("opens the comparison of the flag's config across the project's environments; one environment has nothing to copy to", async () => {
    renderFlagPage('editor', aFlag(), { tab: 'environments' });
    const panel = await screen.findByRole('region', { name: 'Compare environments' });
    expect(within(panel).getByText('This project has one environment.')).toBeTruthy();
    expect(within(within(panel).getByRole('row', { name: /Rules/ })).getByRole('cell').textContent).toBe('0 rules');
    await screen.findByText('signed in as editor');
    expect(screen.getByRole('tab', { name: 'Environments' }).getAttribute('aria-selected')).toBe('true');
    expect(within(panel).queryByRole('button', { name: /Copy/ })).toBeNull();
  });
});

describe('FlagPage: the Shadow report tab', () => {
  const shadowRequests = (calls: { path: string }[]) => calls.filter((c) => c.path.startsWith(`${SHADOW_REPORT_PATH}?`));
  /** Lets the stub's answers reach the page, so a tab that is absent is absent for good. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('is offered once an SDK has sent shadow comparisons of the flag in this environment, after one request without examples', async () => {
    const calls = renderFlagPage('viewer', aFlag(), { shadowSamples: 42 });
    expect(await screen.findByRole('tab', { name: 'Shadow report' })).toBeTruthy();
    const requests = shadowRequests(calls);
    expect(requests).toHaveLength(1);
    const query = new URLSearchParams(requests[0]!.path.split('?')[1]);
    expect(query.get('sampleLimit')).toBe('0');
    expect(Date.parse(query.get('to')!) - Date.parse(query.get('from')!)).toBe(7 * 86_400_000);
  });

  it('is not offered when no SDK sent shadow comparisons', async () => {
    const calls = renderFlagPage('viewer', aFlag(), { shadowSamples: 0 });
    await screen.findByRole('tab', { name: 'Targeting' });
    await waitFor(() => expect(shadowRequests(calls)).toHaveLength(1));
    await settle();
    expect(screen.queryByRole('tab', { name: 'Shadow report' })).toBeNull();
  });

  it('opens when the URL names it, on the empty state that says how to send comparisons', async () => {
    renderFlagPage('viewer', aFlag(), { shadowSamples: 0, tab: 'shadow' });
    const tab = await screen.findByRole('tab', { name: 'Shadow report' });
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect(await screen.findByRole('heading', { name: 'Shadow report in Production' })).toBeTruthy();
    expect(await screen.findByText(`No shadowed calls of ${KEY} in Production in this range.`)).toBeTruthy();
    await settle();
    expect(screen.getByRole('tab', { name: 'Shadow report' })).toBe(tab);
  });

  it('is never offered for a flag that is not boolean, and asks nothing about it', async () => {
    const calls = renderFlagPage('viewer', { ...aFlag(), kind: 'string' }, { shadowSamples: 42, tab: 'shadow' });
    expect((await screen.findByRole('tab', { name: 'Targeting' })).getAttribute('aria-selected')).toBe('true');
    await settle();
    expect(screen.queryByRole('tab', { name: 'Shadow report' })).toBeNull();
    expect(shadowRequests(calls)).toHaveLength(0);
  });
});

describe('FlagPage: a failed refresh', () => {
  it('keeps the page and what was typed, says the data is stale, and clears that on a successful retry', async () => {
    let down = false;
    stubApi((method, path) => {
      if (down) return { status: 503, body: { error: 'UNAVAILABLE', message: 'the server is restarting' } };
      if (path === '/auth/me') return { status: 200, body: { kind: 'user', name: 'editor', role: 'editor' } };
      if (method === 'GET' && path === FLAG_PATH) return { status: 200, body: aFlag() };
      if (method === 'GET' && path === '/projects/demo/flags/stale')
        return { status: 200, body: { generatedAt: '2026-11-21T00:00:00.000Z', singleVariantHours: 24, unusedDays: 30, notEvaluated: [], flags: [] } };
      return method === 'GET' ? { status: 200, body: [] } : undefined;
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false }, mutations: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[`/demo/production/flags/${KEY}`]}>
          <Routes>
            <Route
              path="/demo/production/flags/:flagKey"
              element={
                <>
                  <RoleLoaded />
                  <FlagPage project={project} environment={production} />
                </>
              }
            />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    await screen.findByText('signed in as editor');
    await userEvent.selectOptions(await screen.findByLabelText('Off variant'), 'on');
    await userEvent.type(screen.getByLabelText(/^Reason/), 'INC-12: ramp to 35%');

    // Whatever asks for fresh data (a push, a refocus, a poll) meets a server that is down.
    down = true;
    await act(() => client.refetchQueries());
    const notice = await screen.findByRole('status', { name: 'Could not refresh' });
    expect(notice.textContent).toMatch(/last updated \d\d\D\d\d\D\d\d/);
    expect(screen.queryByText('Could not load this.')).toBeNull();
    expect((screen.getByLabelText('Off variant') as HTMLSelectElement).value).toBe('on');
    expect((screen.getByLabelText(/^Reason/) as HTMLInputElement).value).toBe('INC-12: ramp to 35%');

    down = false;
    await userEvent.click(within(notice).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('status', { name: 'Could not refresh' })).toBeNull());
    expect((screen.getByLabelText('Off variant') as HTMLSelectElement).value).toBe('on');
    expect((screen.getByLabelText(/^Reason/) as HTMLInputElement).value).toBe('INC-12: ramp to 35%');
  });
});
