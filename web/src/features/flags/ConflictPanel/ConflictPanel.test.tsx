import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConflictPanel } from './ConflictPanel';

const panel = (current: { version: number; updatedAt: string | null }) =>
  render(
    <ConflictPanel
      base={{ version: 0, updatedAt: null }}
      draft={{}}
      current={current}
      editable={() => ({})}
      conflicting={[]}
      onReapply={() => {}}
      onDiscard={() => {}}
    />,
  );

describe('ConflictPanel', () => {
  it('says when the newer version was saved', () => {
    panel({ version: 2, updatedAt: '2026-11-20T10:00:00.000Z' });
    expect(screen.getByRole('alert').textContent).toMatch(/it is now at version 2 \(saved .*2026.*\)\. Nothing was saved\./);
  });

  it('leaves the time out for a copy the server has no save time for (updatedAt null)', () => {
    panel({ version: 2, updatedAt: null });
    expect(screen.getByRole('alert').textContent).toContain('it is now at version 2. Nothing was saved.');
  });
});
