import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { aConfig, aFlag, renderWithClient, SEGMENTS, stubApi } from '../../../test/render';
import type { ChangeRequestConfig } from '../../../api/changeRequests';
import { aChangeRequest } from '../../changeRequests/aChangeRequest';
import { FlagTargeting } from './FlagTargeting';

const production = { key: 'production', name: 'Production', requireChangeReason: true, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const FLAG_PATH = '/projects/demo/flags/etl.use-new-transformer/environments/production';

describe('FlagTargeting', () => {
  // Drafts live in session storage: each test starts without one.
  beforeEach(() => sessionStorage.clear());

  it('on a version conflict shows both changes and reapplies mine on top of theirs', async () => {
    const mine = aConfig({ version: 3 });
    const theirs = aConfig({ version: 4, offVariant: 'on' });
    let saves = 0;
    const calls = stubApi((method, path, body) => {
      if (method === 'GET' && path === '/projects/demo/segments') return { status: 200, body: SEGMENTS };
      if (method === 'GET' && path.startsWith('/projects/demo/flags')) return { status: 200, body: [] };
      if (method === 'PUT' && path === FLAG_PATH) {
        saves += 1;
        if (saves === 1)
          return { status: 409, body: { error: 'VERSION_CONFLICT', message: 'changed by someone else', details: { currentVersion: 4, current: theirs } } };
        return { status: 200, body: { ...theirs, ...(body as object), version: 5 } };
      }
      return undefined;
    });
    renderWithClient(<FlagTargeting project="demo" flag={aFlag(mine)} environment={production} />);

    await userEvent.click(screen.getByRole('button', { name: '+ Add rule' }));
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 attribute'), 'pipeline');
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 values'), 'nightly');
    await userEvent.type(screen.getByLabelText(/^Reason/), 'try nightly first');
    await userEvent.click(screen.getByRole('button', { name: 'Save to Production' }));

    const conflict = await screen.findByRole('alert', { name: 'Version conflict' });
    expect(within(conflict).getByRole('table', { name: /Their changes/ }).textContent).toContain('offVariant');
    expect(within(conflict).getByRole('table', { name: 'Your changes' }).textContent).toContain('rules[0]');

    await userEvent.click(within(conflict).getByRole('button', { name: 'Reapply my changes on top' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save to Production' }));
    await screen.findByText('Saved as version 5');

    const resent = calls.filter((c) => c.method === 'PUT').at(-1)?.body as Record<string, unknown>;
    expect(resent.version).toBe(4);
    expect(resent.offVariant).toBe('on');
    expect(resent.rules).toEqual([{ clauses: [{ attribute: 'pipeline', op: 'in', values: ['nightly'] }], serve: { variant: 'on' } }]);
  });

  it('in an environment that requires approval, says a change request was made instead of "Saved", and starts the form over', async () => {
    const approval = { ...production, requireChangeReason: false, requireApproval: true, requiredApprovals: 2 };
    const calls = stubApi((method, path, body) => {
      if (method === 'GET') return { status: 200, body: [] };
      if (method === 'PUT' && path === FLAG_PATH)
        return { status: 202, body: { changeRequest: aChangeRequest({ number: 12, change: body as ChangeRequestConfig, requiredApprovals: 2 }) } };
      return undefined;
    });
    renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig({ version: 3 }))} environment={approval} />);
    expect(screen.getByText(/Production requires approval: saving creates a change request that needs 2 approvals/)).toBeTruthy();
    // Scheduling is offered: there it makes a change request with its time.
    expect(screen.getByRole('button', { name: 'Schedule…' })).toBeTruthy();
    await userEvent.selectOptions(screen.getByLabelText('Off variant'), 'on');
    await userEvent.type(screen.getByLabelText(/^Reason/), 'ramp');
    await userEvent.click(screen.getByRole('button', { name: 'Request change in Production' }));

    const notice = await screen.findByRole('status');
    expect(notice.textContent).toContain('Change request #12 created — needs 2 approvals');
    expect(within(notice).getByRole('link', { name: 'Change request #12' }).getAttribute('href')).toBe('/demo/production/change-requests/12');
    expect(screen.queryByText(/Saved as version/)).toBeNull();
    // Nothing was written: the form shows the config as it is, with nothing left to save twice.
    expect((screen.getByLabelText('Off variant') as HTMLSelectElement).value).toBe('off');
    expect((screen.getByRole('button', { name: 'Request change in Production' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByLabelText(/^Reason/) as HTMLInputElement).value).toBe('');
    expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ version: 3, offVariant: 'on', reason: 'ramp' });
  });

  it('asks for a reason in an environment that requires one, before calling the server', async () => {
    const calls = stubApi((method) => (method === 'GET' ? { status: 200, body: [] } : undefined));
    renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig())} environment={production} />);
    await userEvent.click(screen.getByRole('switch'));
    await userEvent.click(screen.getByRole('button', { name: 'Save to Production' }));
    const reason = screen.getByLabelText(/^Reason/);
    await waitFor(() => expect(reason.getAttribute('aria-invalid')).toBe('true'));
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    // The message goes once a reason is typed.
    await userEvent.type(reason, 'r');
    expect(reason.getAttribute('aria-invalid')).not.toBe('true');
  });

  it('puts the server validation messages next to the fields they name', async () => {
    const rules = [{ clauses: [{ attribute: 'version', op: 'semverGt' as const, values: ['1.2.3'] }], serve: { variant: 'on' } }];
    stubApi((method) => {
      if (method === 'GET') return { status: 200, body: [] };
      return {
        status: 400,
        body: {
          error: 'VALIDATION_FAILED',
          message: 'rules[0].clauses[0].values[0]: a limit only the server knows',
          details: [{ field: 'rules[0].clauses[0].values[0]', reason: 'a limit only the server knows' }],
        },
      };
    });
    renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig({ rules: [] }))} environment={{ ...production, requireChangeReason: false }} />);
    await userEvent.click(screen.getByRole('button', { name: '+ Add rule' }));
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 attribute'), rules[0]!.clauses[0]!.attribute);
    await userEvent.selectOptions(screen.getByLabelText('Rule 1 condition 1 operator'), 'semverGt');
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 values'), '1.2.3');
    await userEvent.click(screen.getByRole('button', { name: 'Save to Production' }));
    const values = screen.getByLabelText('Rule 1 condition 1 values');
    await waitFor(() => expect(values.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(values.getAttribute('aria-describedby')!)?.textContent).toBe('a limit only the server knows');
    // Editing another field leaves it; editing the values clears it.
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 attribute'), 'x');
    expect(values.getAttribute('aria-invalid')).toBe('true');
    await userEvent.type(values, ', 1.2.4');
    expect(values.getAttribute('aria-invalid')).not.toBe('true');
  });

  it('refuses a value the operator table refuses before asking the server', async () => {
    const sent: string[] = [];
    stubApi((method) => {
      if (method !== 'GET') sent.push(method);
      return { status: 200, body: [] };
    });
    renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig({ rules: [] }))} environment={{ ...production, requireChangeReason: false }} />);
    await userEvent.click(screen.getByRole('button', { name: '+ Add rule' }));
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 attribute'), 'version');
    await userEvent.selectOptions(screen.getByLabelText('Rule 1 condition 1 operator'), 'semverGt');
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 values'), 'one');
    await userEvent.click(screen.getByRole('button', { name: 'Save to Production' }));
    const values = screen.getByLabelText('Rule 1 condition 1 values');
    await waitFor(() => expect(values.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(values.getAttribute('aria-describedby')!)?.textContent).toBe('"one": must be a semantic version such as 1.4.0');
    expect(sent).toEqual([]);
  });

  describe('unsaved changes', () => {
    const stubSaves = () =>
      stubApi((method, path, body) => {
        if (method === 'GET') return { status: 200, body: [] };
        if (method === 'PUT' && path === FLAG_PATH) return { status: 200, body: { ...aConfig({ version: 9 }), ...(body as object), version: 9 } };
        return undefined;
      });
    const offVariant = () => screen.getByLabelText('Off variant') as HTMLSelectElement;
    const reason = () => screen.getByLabelText(/^Reason/) as HTMLInputElement;

    it('offers the edits of an earlier visit back and restores them with their reason', async () => {
      stubSaves();
      const first = renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig())} environment={production} />);
      await userEvent.selectOptions(offVariant(), 'on');
      await userEvent.type(reason(), 'INC-7 ramp');
      first.unmount(); // a reload

      renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig())} environment={production} />);
      expect(offVariant().value).toBe('off');
      const offer = screen.getByRole('region', { name: 'Unsaved changes' });
      expect(offer.textContent).toMatch(/Restore your unsaved changes from \d\d\D\d\d\?/);
      await userEvent.click(within(offer).getByRole('button', { name: 'Restore draft' }));
      expect(offVariant().value).toBe('on');
      expect(reason().value).toBe('INC-7 ramp');
      expect(screen.queryByRole('region', { name: 'Unsaved changes' })).toBeNull();
    });

    it('offers nothing once the edits are saved, or when the draft is discarded', async () => {
      stubSaves();
      const first = renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig())} environment={production} />);
      await userEvent.selectOptions(offVariant(), 'on');
      await userEvent.type(reason(), 'ship it');
      await userEvent.click(screen.getByRole('button', { name: 'Save to Production' }));
      await screen.findByText('Saved as version 9');
      first.unmount();
      const second = renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig())} environment={production} />);
      expect(screen.queryByRole('region', { name: 'Unsaved changes' })).toBeNull();

      await userEvent.selectOptions(offVariant(), 'on');
      second.unmount();
      const third = renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig())} environment={production} />);
      await userEvent.click(screen.getByRole('button', { name: 'Discard draft' }));
      expect(offVariant().value).toBe('off');
      third.unmount();
      renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig())} environment={production} />);
      expect(screen.queryByRole('region', { name: 'Unsaved changes' })).toBeNull();
    });

    it('puts a draft from an older version through the conflict view, then saves it rebased on the new one', async () => {
      const calls = stubSaves();
      const first = renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig({ version: 3 }))} environment={production} />);
      await userEvent.selectOptions(offVariant(), 'on');
      await userEvent.type(reason(), 'mine');
      first.unmount();

      // Meanwhile someone else turned the flag off (version 4).
      renderWithClient(<FlagTargeting project="demo" flag={aFlag(aConfig({ version: 4, on: false }))} environment={production} />);
      await userEvent.click(screen.getByRole('button', { name: 'Restore draft' }));
      const conflict = screen.getByRole('alert', { name: 'Version conflict' });
      expect(conflict.textContent).toContain('You started from version 3; it is now at version 4');
      expect((screen.getByRole('button', { name: 'Save to Production' }) as HTMLButtonElement).disabled).toBe(true);
      await userEvent.click(within(conflict).getByRole('button', { name: 'Reapply my changes on top' }));
      expect(offVariant().value).toBe('on');
      expect((screen.getByRole('switch') as HTMLInputElement).checked).toBe(false);
      await userEvent.click(screen.getByRole('button', { name: 'Save to Production' }));
      await screen.findByText('Saved as version 9');
      const sent = calls.find((c) => c.method === 'PUT')?.body as Record<string, unknown>;
      expect(sent).toMatchObject({ version: 4, on: false, offVariant: 'on', reason: 'mine' });
    });
  });
});
