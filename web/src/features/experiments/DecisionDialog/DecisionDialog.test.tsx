import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../api/client';
import { renderWithClient } from '../../../test/render';
import { DecisionDialog, type SampleRatioMismatch } from './DecisionDialog';

const skewed: SampleRatioMismatch = { observed: [4400, 3600], expected: [4000, 4000], pValue: 2.5e-19, mismatch: true };

type Input = { variant?: string; reason?: string; overrideSrm?: boolean };

const open = (sampleRatio: SampleRatioMismatch | null, onSubmit = vi.fn(async (_input: Input): Promise<unknown> => undefined)) => {
  renderWithClient(
    <DecisionDialog
      mode="promote"
      experimentKey="skewed-v2"
      control="v1"
      treatments={['v2']}
      recommendedWinner={null}
      sampleRatio={sampleRatio}
      onSubmit={onSubmit}
      onClose={() => undefined}
    />,
  );
  return onSubmit;
};

describe('DecisionDialog on a sample-ratio mismatch', () => {
  it('shows the mismatch and promotes a treatment only with the explicit override and a reason', async () => {
    const onSubmit = open(skewed);
    const banner = await screen.findByRole('alert', { name: 'Sample ratio mismatch' });
    expect(banner.textContent).toMatch(/received 55\.0% \/ 45\.0% of the traffic where the rollout promises 50\.0% \/ 50\.0%/);
    expect(banner.textContent).toMatch(/4400 : 3600 observations, χ² p = 2\.50e-19/);
    const submit = screen.getByRole('button', { name: 'Promote v2' }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await userEvent.click(screen.getByLabelText('Promote v2 despite the sample ratio mismatch'));
    // Still no reason: still refused.
    expect(submit.disabled).toBe(true);
    await userEvent.type(screen.getByLabelText('Reason (required to override the mismatch)'), 'bot filter on v1');
    expect(submit.disabled).toBe(false);
    await userEvent.click(submit);
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ variant: 'v2', overrideSrm: true, reason: 'bot filter on v1' }));
  });

  it('sends control without an override: that is a rollback in effect', async () => {
    const onSubmit = open(skewed);
    await userEvent.selectOptions(await screen.findByLabelText('Variant'), 'v1');
    expect(screen.queryByRole('alert', { name: 'Sample ratio mismatch' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Promote v1' }));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ variant: 'v1', reason: undefined }));
  });

  it("asks for the override when the server refuses with SAMPLE_RATIO_MISMATCH that the page's results had not shown yet", async () => {
    const onSubmit = vi.fn(async (input: Input): Promise<unknown> => {
      if (!input.overrideSrm)
        throw new ApiError(409, 'CONFLICT', "Sample ratio mismatch on experiment 'skewed-v2'", { code: 'SAMPLE_RATIO_MISMATCH', sampleRatio: skewed });
      return undefined;
    });
    open(null, onSubmit);
    await userEvent.click(await screen.findByRole('button', { name: 'Promote v2' }));
    expect((await screen.findByRole('alert', { name: 'Sample ratio mismatch' })).textContent).toMatch(/55\.0% \/ 45\.0%/);
    expect(screen.getByText(/Sample ratio mismatch on experiment 'skewed-v2'/)).toBeTruthy();
    await userEvent.click(screen.getByLabelText('Promote v2 despite the sample ratio mismatch'));
    await userEvent.type(screen.getByLabelText('Reason (required to override the mismatch)'), 'known skew');
    await userEvent.click(screen.getByRole('button', { name: 'Promote v2' }));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenLastCalledWith({ variant: 'v2', overrideSrm: true, reason: 'known skew' }));
  });
});
