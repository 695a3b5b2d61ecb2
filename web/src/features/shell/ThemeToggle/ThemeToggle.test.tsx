import { fireEvent, render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { ThemeToggle } from './ThemeToggle';

describe('ThemeToggle', () => {
  beforeEach(() => {
    localStorage.clear();
    document.documentElement.removeAttribute('data-theme');
  });

  it('follows the system until the user picks a theme', () => {
    render(<ThemeToggle />);
    expect(screen.getByLabelText('Theme')).toHaveProperty('value', 'system');
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });

  it('applies and remembers the picked theme', () => {
    const { unmount } = render(<ThemeToggle />);
    fireEvent.change(screen.getByLabelText('Theme'), { target: { value: 'dark' } });
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    unmount();
    document.documentElement.removeAttribute('data-theme');
    render(<ThemeToggle />);
    expect(screen.getByLabelText('Theme')).toHaveProperty('value', 'dark');
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
  });

  it('returns to the system preference', () => {
    localStorage.setItem('signalbox.theme', 'light');
    render(<ThemeToggle />);
    fireEvent.change(screen.getByLabelText('Theme'), { target: { value: 'system' } });
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
    expect(localStorage.getItem('signalbox.theme')).toBeNull();
  });
});
