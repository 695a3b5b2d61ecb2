import { ATTRIBUTE_OPERATORS, type Clause, OPERATOR_TABLE } from '@signalbox/sdk/core';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { SEGMENTS } from '../../../test/render';
import { ClauseEditor } from './ClauseEditor';

const Harness = ({ initial, onChange }: { initial: Clause; onChange: (clause: Clause) => void }) => {
  const [clause, setClause] = useState(initial);
  return (
    <ClauseEditor
      clause={clause}
      path="rules[0].clauses[0]"
      errors={{}}
      label="Condition"
      segments={SEGMENTS}
      onChange={(next) => {
        setClause(next);
        onChange(next);
      }}
    />
  );
};

const lastClause = (spy: ReturnType<typeof vi.fn>) => spy.mock.calls.at(-1)?.[0] as Clause;

describe('ClauseEditor', () => {
  it('offers the operators of the core table, in its order, with its labels', () => {
    render(<Harness initial={{ attribute: 'plan', op: 'in', values: [] }} onChange={() => {}} />);
    const options = within(screen.getByLabelText('Condition operator')).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((option) => [option.value, option.textContent])).toEqual(ATTRIBUTE_OPERATORS.map((op) => [op, OPERATOR_TABLE[op].label]));
  });

  it('says in the values placeholder what the operator compares with', async () => {
    render(<Harness initial={{ attribute: 'version', op: 'in', values: [] }} onChange={() => {}} />);
    await userEvent.selectOptions(screen.getByLabelText('Condition operator'), 'semverGt');
    expect(screen.getByLabelText('Condition values').getAttribute('placeholder')).toBe('comma-separated semantic versions, e.g. 1.4.0');
  });

  it('reads epoch milliseconds typed for a date operator as numbers', () => {
    const onChange = vi.fn();
    render(<Harness initial={{ attribute: 'signedUpAt', op: 'before', values: [] }} onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('Condition values'), { target: { value: '2026-01-31, 1767225600000' } });
    expect(lastClause(onChange)).toEqual({ attribute: 'signedUpAt', op: 'before', values: ['2026-01-31', 1767225600000] });
  });

  it('drops the values and hides their input for exists, and re-reads them for a numeric operator', async () => {
    const onChange = vi.fn();
    render(<Harness initial={{ attribute: 'rows', op: 'in', values: ['10', '20'] }} onChange={onChange} />);
    await userEvent.selectOptions(screen.getByLabelText('Condition operator'), 'gt');
    expect(lastClause(onChange)).toEqual({ attribute: 'rows', op: 'gt', values: [10, 20] });
    await userEvent.selectOptions(screen.getByLabelText('Condition operator'), 'exists');
    expect(lastClause(onChange)).toEqual({ attribute: 'rows', op: 'exists', values: [] });
    expect(screen.queryByLabelText('Condition values')).toBeNull();
  });

  it('keeps what the user typed, trailing comma included, while the values it means are unchanged', async () => {
    render(<Harness initial={{ attribute: 'plan', op: 'in', values: [] }} onChange={() => {}} />);
    await userEvent.type(screen.getByLabelText('Condition values'), 'pro, ');
    expect((screen.getByLabelText('Condition values') as HTMLInputElement).value).toBe('pro, ');
  });

  it('shows values changed from outside', () => {
    const { rerender } = render(
      <ClauseEditor clause={{ attribute: 'plan', op: 'in', values: ['pro'] }} path="p" errors={{}} label="Condition" onChange={() => {}} />,
    );
    rerender(<ClauseEditor clause={{ attribute: 'plan', op: 'in', values: ['team', 'free'] }} path="p" errors={{}} label="Condition" onChange={() => {}} />);
    expect((screen.getByLabelText('Condition values') as HTMLInputElement).value).toBe('team, free');
  });
});
