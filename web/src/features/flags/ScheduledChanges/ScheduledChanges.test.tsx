import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentView } from '../../../api/projects';
import type { ScheduledChange } from '../../../api/scheduledChanges';
import { aConfig, renderWithClient, stubApi } from '../../../test/render';
import { aChangeRequest } from '../../changeRequests/aChangeRequest';
import { toEditable } from '../flagConfig';
import { EditScheduleDialog } from './EditScheduleDialog';
import { ScheduleButton } from './ScheduleButton';
import { ScheduledChanges } from './ScheduledChanges';

const environment = { key: 'production', name: 'Production', requireChangeReason: false } as EnvironmentView;
const PATH = '/projects/demo/flags/etl.use-new-transformer/environments/production/scheduled-changes';

const aChange = (overrides: Partial<ScheduledChange> = {}): ScheduledChange => ({
  id: '0c8f5f0e-6a55-4b8e-9d1c-2f4b3c2d1e0f',
  flagKey: 'etl.use-new-transformer',
  environment: 'production',
  runAt: '2026-12-05T02:00:00.000Z',
  status: 'scheduled',
  kind: 'patch',
  config: { defaultRule: { variant: 'off' } },
  baseVersion: 3,
  reason: 'weekend switch',
  author: { type: 'user', id: 'u1', name: 'ops@example.com' },
  createdAt: '2026-12-04T10:00:00.000Z',
  updatedAt: '2026-12-04T10:00:00.000Z',
  finishedAt: null,
  appliedVersion: null,
  failure: null,
  stale: false,
  proposed: { ...aConfig({ version: 3 }), defaultRule: { variant: 'off' } },
  ...overrides,
});

afterEach(() => vi.unstubAllGlobals());

describe('ScheduledChanges', () => {
  it('shows when, by whom, why and the diff of a pending change, and cancels it', async () => {
    const calls = stubApi((method, path) =>
      method === 'GET' && path === PATH
        ? { status: 200, body: [aChange()] }
        : method === 'DELETE'
          ? { status: 200, body: aChange({ status: 'cancelled' }) }
          : undefined,
    );
    renderWithClient(<ScheduledChanges project="demo" flagKey="etl.use-new-transformer" environment={environment} config={aConfig({ version: 3 })} canEdit />);
    const item = await screen.findByRole('listitem', { name: /Scheduled change for .*02:00 UTC/ });
    expect(within(item).getByText('scheduled')).toBeTruthy();
    expect(within(item).getByText(/ops@example.com/)).toBeTruthy();
    expect(within(item).getByText(/weekend switch/)).toBeTruthy();
    expect(within(item).getByRole('rowheader', { name: 'defaultRule.variant' })).toBeTruthy();
    await userEvent.click(within(item).getByRole('button', { name: 'Cancel change' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path.startsWith(`${PATH}/${aChange().id}`))).toBe(true));
  });

  it('warns that a change whose base moved will not apply, and offers no buttons to viewers', async () => {
    stubApi((method, path) => (method === 'GET' && path === PATH ? { status: 200, body: [aChange({ stale: true })] } : undefined));
    renderWithClient(
      <ScheduledChanges project="demo" flagKey="etl.use-new-transformer" environment={environment} config={aConfig({ version: 4 })} canEdit={false} />,
    );
    expect(await screen.findByText(/will not be applied unless rebased/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel change' })).toBeNull();
  });
});

describe('EditScheduleDialog', () => {
  it('offers no rebase of a stale change in an environment that requires approval, and says how to get one', async () => {
    const gated = { ...environment, requireApproval: true, requiredApprovals: 1 } as EnvironmentView;
    stubApi(() => undefined);
    renderWithClient(
      <EditScheduleDialog
        project="demo"
        flagKey="etl.use-new-transformer"
        environment={gated}
        change={aChange({ stale: true })}
        currentVersion={4}
        onClose={() => {}}
      />,
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).queryByRole('checkbox', { name: /Apply it over the current version/ })).toBeNull();
    expect(within(dialog).getByText(/cancel it and schedule it again, which makes a change request/)).toBeTruthy();
  });
});

describe('ScheduleButton', () => {
  it('schedules the edited config against the version it was edited from, without saving it now', async () => {
    const calls = stubApi((method, path) => (method === 'POST' && path === PATH ? { status: 201, body: aChange() } : undefined));
    const base = aConfig({ version: 3 });
    const draft = { ...toEditable(base), on: false };
    const discard = vi.fn();
    const saveNow = vi.fn((e: { preventDefault: () => void }) => e.preventDefault());
    renderWithClient(
      <form onSubmit={saveNow}>
        <ScheduleButton
          project="demo"
          flagKey="etl.use-new-transformer"
          environment={environment}
          form={{ base, draft, reason: 'nightly', dirty: true, conflict: null, discard }}
        />
      </form>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Schedule…' }));
    const dialog = await screen.findByRole('dialog', { name: /Schedule a change/ });
    expect(within(dialog).getByRole('rowheader', { name: 'on' })).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Schedule change' }));
    await waitFor(() => expect(discard).toHaveBeenCalled());
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({ version: 3, reason: 'nightly', replace: draft });
    expect(new Date((post?.body as { runAt: string }).runAt).getTime()).toBeGreaterThan(Date.now());
    expect(saveNow).not.toHaveBeenCalled();
  });

  it('in an environment that requires approval, says which change request the schedule made, with a link, and starts the editor over', async () => {
    const gated = { ...environment, requireApproval: true, requiredApprovals: 2 } as EnvironmentView;
    const calls = stubApi((method, path, body) =>
      method === 'POST' && path === PATH
        ? {
            status: 202,
            body: { changeRequest: aChangeRequest({ number: 14, requiredApprovals: 2, runAt: (body as { runAt: string }).runAt }) },
          }
        : undefined,
    );
    const base = aConfig({ version: 3 });
    const discard = vi.fn();
    renderWithClient(
      <ScheduleButton
        project="demo"
        flagKey="etl.use-new-transformer"
        environment={gated}
        form={{ base, draft: { ...toEditable(base), on: false }, reason: 'nightly', dirty: true, conflict: null, discard }}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Schedule…' }));
    const dialog = await screen.findByRole('dialog', { name: /Schedule a change/ });
    expect(within(dialog).getByText(/Production requires approval: this creates a change request that needs 2 approvals/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Request scheduled change' }));

    const notice = await within(dialog).findByRole('status');
    expect(notice.textContent).toContain('Change request #14 created — needs 2 approvals');
    expect(within(notice).getByRole('link', { name: 'Change request #14' }).getAttribute('href')).toBe('/demo/production/change-requests/14');
    expect(within(dialog).getByText(/Once it is approved and applied, the change is scheduled for .*UTC/)).toBeTruthy();
    expect(discard).toHaveBeenCalled();
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ version: 3, reason: 'nightly' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it("clears the API's message from the field the user fixes, and keeps the other field's message", async () => {
    stubApi((method, path) =>
      method === 'POST' && path === PATH
        ? {
            status: 400,
            body: {
              error: 'VALIDATION_FAILED',
              message: 'invalid',
              details: [
                { field: 'runAt', reason: 'runAt must be at most a year ahead' },
                { field: 'reason', reason: 'reason must be at most 500 characters' },
              ],
            },
          }
        : undefined,
    );
    const base = aConfig({ version: 3 });
    renderWithClient(
      <ScheduleButton
        project="demo"
        flagKey="etl.use-new-transformer"
        environment={environment}
        form={{ base, draft: { ...toEditable(base), on: false }, reason: 'nightly', dirty: true, conflict: null, discard: () => {} }}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Schedule…' }));
    const dialog = await screen.findByRole('dialog', { name: /Schedule a change/ });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Schedule change' }));
    await within(dialog).findByText('runAt must be at most a year ahead');
    expect(within(dialog).getByText('reason must be at most 500 characters')).toBeTruthy();

    await userEvent.type(within(dialog).getByLabelText(/^Reason/), ' run');
    expect(within(dialog).queryByText('reason must be at most 500 characters')).toBeNull();
    expect(within(dialog).getByText('runAt must be at most a year ahead')).toBeTruthy();

    const time = within(dialog).getByLabelText(/^Apply at/) as HTMLInputElement;
    // Another minute than the one shown (setting :59 when it already says :59 changed nothing, and failed at hh:59).
    fireEvent.change(time, { target: { value: time.value.replace(/:(\d{2})(:\d{2})?$/, (_, minutes: string) => (minutes === '59' ? ':58' : ':59')) } });
    expect(within(dialog).queryByText('runAt must be at most a year ahead')).toBeNull();
  });
});
