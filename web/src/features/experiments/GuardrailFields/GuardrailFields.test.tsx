import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { FieldErrors } from '../../../components/common/fieldErrors';
import { type GuardrailDraft, GuardrailFields, newGuardrail } from './GuardrailFields';

// The rows with the state a form keeps for them: editing a row clears its messages, as both forms do.
const Rows = ({ initial, initialErrors = {} }: { initial: GuardrailDraft[]; initialErrors?: FieldErrors }) => {
  const [rows, setRows] = useState(initial);
  const [errors, setErrors] = useState(initialErrors);
  return (
    <>
      <GuardrailFields
        legend="Guardrail metrics"
        rows={rows}
        messages={(path) => errors[path] ?? []}
        onChange={(index, change) => {
          setRows((r) => r.map((row, i) => (i === index ? { ...row, ...change } : row)));
          setErrors((e) => Object.fromEntries(Object.entries(e).filter(([field]) => !field.startsWith(`guardrailMetrics[${index}]`))));
        }}
        onRemove={(index) => setRows((r) => r.filter((_, i) => i !== index))}
        onAdd={() => setRows((r) => [...r, newGuardrail()])}
        empty={<p>None.</p>}
      />
      <output data-testid="rows">{JSON.stringify(rows)}</output>
    </>
  );
};

const rows = () => JSON.parse(screen.getByTestId('rows').textContent!) as GuardrailDraft[];

describe('GuardrailFields', () => {
  it('adds a row as a mean that should decrease, edits it and removes it', async () => {
    render(<Rows initial={[]} />);
    expect(screen.getByText('None.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Add a guardrail' }));
    expect(screen.queryByText('None.')).toBeNull();
    expect((screen.getByLabelText('Guardrail 1 type') as HTMLSelectElement).value).toBe('mean');
    expect((screen.getByLabelText('Guardrail 1 is better when it') as HTMLSelectElement).value).toBe('decrease');

    await userEvent.type(screen.getByLabelText('Guardrail 1 metric'), 'refunded');
    await userEvent.selectOptions(screen.getByLabelText('Guardrail 1 type'), 'rate');
    await userEvent.selectOptions(screen.getByLabelText('Guardrail 1 is better when it'), 'increase');
    expect(rows()).toEqual([{ name: 'refunded', type: 'rate', better: 'increase' }]);
    expect(screen.getByLabelText('Guardrail 1 metric').getAttribute('maxlength')).toBe('200');

    await userEvent.click(screen.getByRole('button', { name: 'Add a guardrail' }));
    await userEvent.type(screen.getByLabelText('Guardrail 2 metric'), 'checkout.latency_ms');
    await userEvent.click(screen.getByRole('button', { name: 'Remove guardrail 1' }));
    expect(rows()).toEqual([{ name: 'checkout.latency_ms', type: 'mean', better: 'decrease' }]);
    expect((screen.getByLabelText('Guardrail 1 metric') as HTMLInputElement).value).toBe('checkout.latency_ms');
    expect(screen.queryByLabelText('Guardrail 2 metric')).toBeNull();
  });

  it("shows a row's field error beside its input until the row changes, and the list's under the rows", async () => {
    const ratio = "a guardrail is a 'rate' or a 'mean'; ratio metrics can be the primary metric";
    render(
      <Rows
        initial={[{ name: 'errors_per_row', type: 'mean', better: 'decrease' }]}
        initialErrors={{ 'guardrailMetrics[0].type': [ratio], guardrailMetrics: ['guardrailMetrics must be an array'] }}
      />,
    );
    const type = screen.getByLabelText('Guardrail 1 type');
    expect(type.getAttribute('aria-invalid')).toBe('true');
    const message = document.getElementById(type.getAttribute('aria-describedby')!);
    expect(message?.textContent).toBe(ratio);
    expect(message?.getAttribute('data-field')).toBe('guardrailMetrics[0].type');
    expect(document.querySelector('[data-field="guardrailMetrics"]')?.textContent).toBe('guardrailMetrics must be an array');

    await userEvent.selectOptions(type, 'rate');
    expect(type.getAttribute('aria-invalid')).not.toBe('true');
    expect(screen.queryByText(ratio)).toBeNull();
  });

  it('renders the metric input given, with the field id, limits and value', () => {
    render(
      <GuardrailFields
        legend="Guardrail metrics"
        rows={[{ name: 'refunded', type: 'rate', better: 'decrease' }]}
        messages={() => []}
        onChange={() => {}}
        onRemove={() => {}}
        onAdd={() => {}}
        renderName={({ inputProps, index, value, maxLength, placeholder }) => (
          <input {...inputProps} list={`names-${index}`} maxLength={maxLength} placeholder={placeholder} value={value} readOnly />
        )}
      />,
    );
    const input = screen.getByLabelText('Guardrail 1 metric') as HTMLInputElement;
    expect(input.getAttribute('list')).toBe('names-0');
    expect(input.value).toBe('refunded');
    expect(input.placeholder).toBe('model.latency_ms');
  });
});
