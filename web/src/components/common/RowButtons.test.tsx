import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ActionsColumnHeader } from './RowButtons';

describe('ActionsColumnHeader', () => {
  it('names the column of row buttons for screen readers only', () => {
    render(
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <ActionsColumnHeader />
          </tr>
        </thead>
      </table>,
    );
    const header = screen.getByRole('columnheader', { name: 'Actions' });
    expect(header.querySelector('.visually-hidden')?.textContent).toBe('Actions');
  });
});
