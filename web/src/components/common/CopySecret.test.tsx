import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CopySecret } from './CopySecret';

describe('CopySecret', () => {
  it('says how the server keeps the secret: a hash by default, or encrypted', () => {
    const { unmount } = render(<CopySecret label="New API token" secret="sbt_x" />);
    expect(screen.getByRole('status').textContent).toContain('stored only as a hash');
    unmount();
    render(<CopySecret label="Signing secret" secret="sbw_x" stored="encrypted" />);
    expect(screen.getByRole('status').textContent).toContain('stored only encrypted');
    expect(screen.getByLabelText('Signing secret').textContent).toBe('sbw_x');
  });
});
