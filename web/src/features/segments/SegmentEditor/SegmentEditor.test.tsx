import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Link } from 'react-router';
import { describe, expect, it } from 'vitest';
import { renderWithClient, SEGMENTS, stubApi } from '../../../test/render';
import { SegmentEditor } from './SegmentEditor';

describe('SegmentEditor', () => {
  it('asks before a navigation discards an edited segment, and not before one that was only opened', async () => {
    stubApi(() => ({ status: 200, body: [] }));
    renderWithClient(
      <>
        <Link to="/elsewhere">Flags</Link>
        <SegmentEditor project="demo" segment={SEGMENTS[0]!} readOnly={false} onSaved={() => {}} onRequested={() => {}} onCancel={() => {}} />
      </>,
    );
    await userEvent.type(screen.getByLabelText('Name'), ' (EU)');
    await userEvent.click(screen.getByRole('link', { name: 'Flags' }));
    expect(screen.getByRole('dialog', { name: 'Leave without saving?' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toMatch(/\(EU\)$/);

    // Back to what it opened with: nothing to lose, nothing to ask.
    await userEvent.clear(screen.getByLabelText('Name'));
    await userEvent.type(screen.getByLabelText('Name'), SEGMENTS[0]!.name);
    await userEvent.click(screen.getByRole('link', { name: 'Flags' }));
    expect(screen.queryByRole('dialog', { name: 'Leave without saving?' })).toBeNull();
  });

  it("clears a server error from the field the user fixes, and keeps the other fields' errors", async () => {
    stubApi((method) =>
      method === 'POST'
        ? {
            status: 400,
            body: {
              error: 'VALIDATION_FAILED',
              message: 'invalid',
              details: [
                { field: 'name', reason: 'name must be shorter than or equal to 200 characters' },
                { field: 'included[1]', reason: 'each value must be a string of at most 256 characters' },
                { field: 'rules[0].clauses[0].values[0]', reason: 'values must not be empty strings' },
              ],
            },
          }
        : { status: 200, body: [] },
    );
    renderWithClient(<SegmentEditor project="demo" segment={null} readOnly={false} onSaved={() => {}} onRequested={() => {}} onCancel={() => {}} />);
    await userEvent.type(screen.getByLabelText('Key'), 'eu-users');
    await userEvent.type(screen.getByLabelText('Name'), 'EU users');
    await userEvent.type(screen.getByLabelText('Always in (targetingKeys)'), 'a, b');
    await userEvent.click(screen.getByRole('button', { name: '+ Add rule' }));
    await userEvent.type(screen.getByLabelText(/Segment rule 1 condition 1.*attribute/i), 'country');
    await userEvent.type(screen.getByLabelText(/Segment rule 1 condition 1.*values/i), 'DE');
    await userEvent.click(screen.getByRole('button', { name: /Save|Create/ }));
    await screen.findByText('name must be shorter than or equal to 200 characters');
    expect(screen.getByText('each value must be a string of at most 256 characters')).toBeTruthy();
    expect(screen.getByText('values must not be empty strings')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Name'), '!');
    expect(screen.queryByText('name must be shorter than or equal to 200 characters')).toBeNull();
    expect(screen.getByText('each value must be a string of at most 256 characters')).toBeTruthy();
    expect(screen.getByText('values must not be empty strings')).toBeTruthy();

    await userEvent.type(screen.getByLabelText(/Segment rule 1 condition 1.*values/i), ', FR');
    expect(screen.queryByText('values must not be empty strings')).toBeNull();
    expect(screen.getByText('each value must be a string of at most 256 characters')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Always in (targetingKeys)'), ', c');
    expect(screen.queryByText('each value must be a string of at most 256 characters')).toBeNull();
  });
});
