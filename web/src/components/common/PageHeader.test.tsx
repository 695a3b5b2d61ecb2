import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PageHeader } from './PageHeader';

describe('PageHeader', () => {
  it('names the page in its one h1, with the line under it and the page actions', () => {
    render(
      <PageHeader title="Segments" description="Reusable audiences shared by every flag in Demo." actions={<button type="button">+ New segment</button>} />,
    );
    expect(screen.getByRole('heading', { level: 1, name: 'Segments' })).toBeTruthy();
    expect(screen.getByText('Reusable audiences shared by every flag in Demo.').className).toBe('muted');
    expect(screen.getByRole('banner').contains(screen.getByRole('button', { name: '+ New segment' }))).toBe(true);
  });

  it('leaves out the line and the actions it is not given', () => {
    render(<PageHeader title="Users & roles" actions={false} />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Users & roles');
    expect(screen.getByRole('banner').querySelectorAll('p, button')).toHaveLength(0);
  });
});
