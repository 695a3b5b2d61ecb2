import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { RangeToggle } from './RangeToggle';

const RANGES = [
  { key: '1h', label: 'Last hour' },
  { key: '24h', label: 'Last 24 h' },
] as const;

describe('RangeToggle', () => {
  it('marks the range shown as pressed and reports the one picked', async () => {
    const onChange = vi.fn();
    render(<RangeToggle ranges={[...RANGES]} value="24h" onChange={onChange} />);
    const group = screen.getByRole('group', { name: 'Time range' });
    expect(group).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Last 24 h' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')).toBe('false');
    await userEvent.click(screen.getByRole('button', { name: 'Last hour' }));
    expect(onChange).toHaveBeenCalledWith('1h');
  });
});
