import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ATTRIBUTE_OPERATORS, type Rule } from '@signalbox/sdk/core';
import type { FieldErrors } from '../../../components/common/fieldErrors';
import { SEGMENTS } from '../../../test/render';
import { RuleBuilder } from './RuleBuilder';

const variants = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

const Harness = ({ initial, onChange, errors = {} }: { initial: Rule[]; onChange: (rules: Rule[]) => void; errors?: FieldErrors }) => {
  const [rules, setRules] = useState(initial);
  return (
    <RuleBuilder
      rules={rules}
      variants={variants}
      segments={SEGMENTS}
      errors={errors}
      onChange={(next) => {
        setRules(next);
        onChange(next);
      }}
    />
  );
};

const lastRules = (spy: ReturnType<typeof vi.fn>) => spy.mock.calls.at(-1)?.[0] as Rule[];

describe('RuleBuilder', () => {
  it('offers every attribute operator of the evaluator', async () => {
    render(<Harness initial={[]} onChange={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: '+ Add rule' }));
    const operator = screen.getByLabelText('Rule 1 condition 1 operator');
    const offered = within(operator)
      .getAllByRole('option')
      .map((o) => (o as HTMLOptionElement).value);
    expect(offered).toEqual([...ATTRIBUTE_OPERATORS]);
  });

  it('builds an attribute clause with typed values and a negation', async () => {
    const onChange = vi.fn();
    render(<Harness initial={[]} onChange={onChange} />);
    await userEvent.click(screen.getByRole('button', { name: '+ Add rule' }));
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 attribute'), 'rowCount');
    await userEvent.selectOptions(screen.getByLabelText('Rule 1 condition 1 operator'), 'gte');
    await userEvent.type(screen.getByLabelText('Rule 1 condition 1 values'), '1000');
    await userEvent.click(screen.getByRole('checkbox', { name: 'NOT' }));
    expect(lastRules(onChange)).toEqual([{ clauses: [{ attribute: 'rowCount', op: 'gte', values: [1000], negate: true }], serve: { variant: 'on' } }]);
  });

  it('picks segments for a segment clause and serves the chosen variant', async () => {
    const onChange = vi.fn();
    render(<Harness initial={[]} onChange={onChange} />);
    await userEvent.click(screen.getByRole('button', { name: '+ Add rule' }));
    await userEvent.selectOptions(screen.getByLabelText('Rule 1 condition 1 kind'), 'segment');
    await userEvent.click(screen.getByRole('checkbox', { name: /Beta testers/ }));
    await userEvent.click(screen.getByRole('checkbox', { name: /Production pipelines/ }));
    await userEvent.selectOptions(screen.getByLabelText('Rule 1: variant'), 'off');
    expect(lastRules(onChange)).toEqual([{ clauses: [{ op: 'segment', segments: ['beta-testers', 'prod-pipelines'] }], serve: { variant: 'off' } }]);
  });

  it('reorders and removes rules', async () => {
    const onChange = vi.fn();
    const rule = (description: string): Rule => ({ description, clauses: [{ attribute: 'a', op: 'exists', values: [] }], serve: { variant: 'on' } });
    render(<Harness initial={[rule('first'), rule('second')]} onChange={onChange} />);
    await userEvent.click(screen.getByRole('button', { name: 'Move Rule 2 up' }));
    expect(lastRules(onChange).map((r) => r.description)).toEqual(['second', 'first']);
    await userEvent.click(screen.getByRole('button', { name: 'Remove Rule 1' }));
    expect(lastRules(onChange).map((r) => r.description)).toEqual(['first']);
  });

  it('shows a server message next to the input its field names', () => {
    const rules: Rule[] = [{ clauses: [{ attribute: 'version', op: 'semverGt', values: ['x'] }], serve: { variant: 'on' } }];
    render(<Harness initial={rules} onChange={() => {}} errors={{ 'rules[0].clauses[0].values[0]': ['x is not a semantic version'] }} />);
    const input = screen.getByLabelText('Rule 1 condition 1 values');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(input.getAttribute('aria-describedby')!)?.textContent).toContain('x is not a semantic version');
  });

  it('sets a 20% rollout for a rule with the percent inputs', () => {
    const onChange = vi.fn();
    const rules: Rule[] = [{ clauses: [{ attribute: 'a', op: 'exists', values: [] }], serve: { variant: 'on' } }];
    render(<Harness initial={rules} onChange={onChange} />);
    fireEvent.click(screen.getByLabelText('A percentage rollout'));
    fireEvent.change(screen.getByLabelText('Rule 1: on %'), { target: { value: '20' } });
    expect(lastRules(onChange)[0]?.serve).toEqual({
      rollout: {
        variants: [
          { variant: 'on', weight: 20000 },
          { variant: 'off', weight: 80000 },
        ],
      },
    });
    expect(screen.getByRole('img', { name: 'Rollout: on 20%, off 80%' })).toBeTruthy();
  });
});
