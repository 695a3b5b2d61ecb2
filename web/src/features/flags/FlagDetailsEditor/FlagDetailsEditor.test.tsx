import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { FlagView } from '../../../api/flags';
import { aFlag, renderWithClient, stubApi } from '../../../test/render';
import { FlagDetailsEditor } from './FlagDetailsEditor';

const FLAG_PATH = '/projects/demo/flags/model.version';

const aStringFlag = (overrides: Partial<FlagView> = {}): FlagView => ({
  ...aFlag(),
  key: 'model.version',
  name: 'Model version',
  kind: 'string',
  owner: 'ml',
  tags: ['ml'],
  variants: [
    { key: 'v1', value: 'model-v1' },
    { key: 'v2', value: 'model-v2' },
  ],
  ...overrides,
});

const messageOf = (input: HTMLElement) => document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent;

describe('FlagDetailsEditor', () => {
  it('saves only the fields that changed, with the version it started from', async () => {
    const flag = aStringFlag();
    const calls = stubApi((method, path, body) => {
      if (method === 'PATCH' && path === FLAG_PATH) return { status: 200, body: { ...flag, ...(body as object), version: 2 } };
      return method === 'GET' ? { status: 200, body: [] } : undefined;
    });
    renderWithClient(<FlagDetailsEditor project="demo" flag={flag} />);

    await userEvent.clear(screen.getByLabelText('Name'));
    await userEvent.type(screen.getByLabelText('Name'), 'Sentiment model version');
    await userEvent.clear(screen.getByLabelText('Variant 2 value'));
    await userEvent.type(screen.getByLabelText('Variant 2 value'), 'model-v2.1');
    await userEvent.click(screen.getByRole('button', { name: '+ Variant' }));
    await userEvent.type(screen.getByLabelText('Variant 3 value'), 'model-v3');
    await userEvent.type(screen.getByLabelText('Variant 3 name'), 'Distilled');
    await userEvent.click(screen.getByRole('button', { name: 'Remove variant 1' }));
    await userEvent.type(screen.getByLabelText('Reason (optional)'), 'v1 retired');
    await userEvent.click(screen.getByRole('button', { name: 'Save details' }));

    await screen.findByText('Saved as version 2');
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([
      {
        version: 1,
        name: 'Sentiment model version',
        variants: [
          { key: 'v2', value: 'model-v2.1' },
          { key: 'v3', value: 'model-v3', name: 'Distilled' },
        ],
        reason: 'v1 retired',
      },
    ]);
  });

  it('checks JSON values before sending and says what is wrong next to the value', async () => {
    const calls = stubApi(() => undefined);
    renderWithClient(<FlagDetailsEditor project="demo" flag={aStringFlag({ kind: 'json', variants: [{ key: 'small', value: { model: 's' } }] })} />);
    const value = screen.getByLabelText('Variant 1 value');
    expect((value as HTMLTextAreaElement).value).toBe('{"model":"s"}');
    await userEvent.clear(value);
    await userEvent.type(value, '{{"model": "xl"');
    await userEvent.click(screen.getByRole('button', { name: 'Save details' }));

    await waitFor(() => expect(value.getAttribute('aria-invalid')).toBe('true'));
    expect(messageOf(value)).toMatch(/^not valid JSON: /);
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it("puts the API's validation messages next to the fields they name", async () => {
    stubApi((method) =>
      method === 'PATCH'
        ? {
            status: 400,
            body: {
              error: 'VALIDATION_FAILED',
              message: "tags: tags must use only lowercase letters; variants: variant 'v1' is still used in production: defaultRule",
              details: [
                { field: 'tags', reason: 'tags must use only lowercase letters, digits, ".", "-" and "_", starting with a letter or digit' },
                { field: 'variants', reason: "variant 'v1' is still used in production: defaultRule" },
              ],
            },
          }
        : undefined,
    );
    renderWithClient(<FlagDetailsEditor project="demo" flag={aStringFlag()} />);
    await userEvent.type(screen.getByLabelText('Tags (comma-separated)'), ', Not A Tag');
    await userEvent.click(screen.getByRole('button', { name: 'Remove variant 1' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save details' }));

    const tags = screen.getByLabelText('Tags (comma-separated)');
    await waitFor(() => expect(tags.getAttribute('aria-invalid')).toBe('true'));
    expect(messageOf(tags)).toMatch(/^tags must use only lowercase letters/);
    const variants = screen.getByRole('group', { name: 'Variants' });
    expect(within(variants).getByText("variant 'v1' is still used in production: defaultRule")).toBeTruthy();
  });

  it('on a version conflict shows both changes and reapplies mine on top of theirs', async () => {
    const mine = aStringFlag({ version: 3 });
    const theirs = aStringFlag({ version: 4, owner: 'data-platform', updatedAt: '2026-11-21T10:00:00.000Z' });
    let saves = 0;
    const calls = stubApi((method, path, body) => {
      if (method !== 'PATCH' || path !== FLAG_PATH) return undefined;
      saves += 1;
      if (saves === 1)
        return { status: 409, body: { error: 'VERSION_CONFLICT', message: 'changed by someone else', details: { currentVersion: 4, current: theirs } } };
      return { status: 200, body: { ...theirs, ...(body as object), version: 5 } };
    });
    renderWithClient(<FlagDetailsEditor project="demo" flag={mine} />);
    await userEvent.type(screen.getByLabelText('Description'), 'Which model labels reviews');
    await userEvent.click(screen.getByRole('button', { name: 'Save details' }));

    const conflict = await screen.findByRole('alert', { name: 'Version conflict' });
    expect(within(conflict).getByRole('table', { name: /Their changes/ }).textContent).toContain('owner');
    expect(within(conflict).getByRole('table', { name: 'Your changes' }).textContent).toContain('description');
    expect(screen.getByRole('button', { name: 'Save details' })).toHaveProperty('disabled', true);

    await userEvent.click(within(conflict).getByRole('button', { name: 'Reapply my changes on top' }));
    expect((screen.getByLabelText('Owner') as HTMLInputElement).value).toBe('data-platform');
    await userEvent.click(screen.getByRole('button', { name: 'Save details' }));
    await screen.findByText('Saved as version 5');
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)?.body).toEqual({ version: 4, description: 'Which model labels reviews' });
  });

  it('keeps the true and false values of a boolean flag and edits only their labels', async () => {
    const calls = stubApi((method, _path, body) => (method === 'PATCH' ? { status: 200, body: { ...aFlag(), ...(body as object), version: 2 } } : undefined));
    renderWithClient(<FlagDetailsEditor project="demo" flag={aFlag()} />);
    expect(screen.queryByRole('button', { name: '+ Variant' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Remove variant/ })).toBeNull();
    await userEvent.type(screen.getByLabelText('Variant 1 description'), 'new transformer');
    await userEvent.click(screen.getByRole('button', { name: 'Save details' }));
    await screen.findByText('Saved as version 2');
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      version: 1,
      variants: [
        { key: 'on', value: true, description: 'new transformer' },
        { key: 'off', value: false },
      ],
    });
  });
});
