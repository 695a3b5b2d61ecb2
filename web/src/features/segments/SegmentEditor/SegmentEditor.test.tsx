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
        <SegmentEditor project="demo" segment={SEGMENTS[0]!} readOnly={false} onSaved={() => {}} onCancel={() => {}} />
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
});
