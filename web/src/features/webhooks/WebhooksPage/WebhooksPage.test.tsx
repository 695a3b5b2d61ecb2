import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Webhook } from '../../../api/webhooks';
import { renderWithClient, stubApi } from '../../../test/render';
import { WebhooksPage } from './WebhooksPage';

const aWebhook = (overrides: Partial<Webhook> = {}): Webhook => ({
  id: 'w1',
  name: 'slack',
  url: 'https://hooks.example.com/x',
  events: ['flag.killed'],
  projectKey: null,
  enabled: true,
  disabledReason: null,
  consecutiveFailures: 0,
  secretPrefix: 'sbw_ab',
  createdBy: 'admin',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

describe('WebhooksPage', () => {
  it('checks the URL and events before creating, then shows the signing secret once', async () => {
    let hooks: Webhook[] = [];
    const calls = stubApi((method, path, body) => {
      if (method === 'GET' && path === '/webhooks') return { status: 200, body: hooks };
      if (method === 'POST' && path === '/webhooks') {
        hooks = [aWebhook(body as Partial<Webhook>)];
        return { status: 201, body: { webhook: hooks[0], secret: 'sbw_abSECRET' } };
      }
      return undefined;
    });
    renderWithClient(<WebhooksPage projects={[]} />);
    await screen.findByText('No webhooks yet.');

    await userEvent.type(screen.getByLabelText('Name'), 'slack');
    await userEvent.type(screen.getByLabelText('URL'), 'ftp://nope');
    for (const event of ['flag.changed', 'flag.killed', 'flag.restored']) await userEvent.click(screen.getByRole('checkbox', { name: event }));
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect(screen.getByText(/an http\(s\) URL/)).toBeTruthy();
    expect(screen.getByText('pick at least one event')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await userEvent.clear(screen.getByLabelText('URL'));
    await userEvent.type(screen.getByLabelText('URL'), 'https://hooks.example.com/x');
    await userEvent.click(screen.getByRole('checkbox', { name: 'flag.killed' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect((await screen.findByLabelText('Signing secret of slack')).textContent).toBe('sbw_abSECRET');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'slack', url: 'https://hooks.example.com/x', events: ['flag.killed'] });
    const row = await screen.findByRole('row', { name: /slack/ });
    expect(row.textContent).not.toContain('SECRET');
  });

  it("clears a field's message as soon as that field changes, and keeps the others", async () => {
    stubApi((method, path) => (method === 'GET' && path === '/webhooks' ? { status: 200, body: [] } : undefined));
    renderWithClient(<WebhooksPage projects={[]} />);
    await screen.findByText('No webhooks yet.');
    await userEvent.type(screen.getByLabelText('URL'), 'ftp://nope');
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect(screen.getByText(/name the receiver/)).toBeTruthy();
    expect(screen.getByText(/an http\(s\) URL/)).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Name'), 's');
    expect(screen.queryByText(/name the receiver/)).toBeNull();
    expect(screen.getByText(/an http\(s\) URL/)).toBeTruthy();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBeNull();
  });
});
