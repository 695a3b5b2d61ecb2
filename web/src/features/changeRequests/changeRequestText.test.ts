import { describe, expect, it } from 'vitest';
import { approvalCount, approvalsMissing, isOpen } from './changeRequestText';

const user = { id: 'u', email: 'u@example.com' };

describe('changeRequestText', () => {
  it('counts approvals against the number required', () => {
    expect(approvalCount({ approvals: [], requiredApprovals: 1 })).toBe('0 of 1 approval');
    expect(approvalCount({ approvals: [{ user, at: '' }], requiredApprovals: 2 })).toBe('1 of 2 approvals');
    expect(approvalsMissing({ approvals: [{ user, at: '' }], requiredApprovals: 2 })).toBe(1);
    expect(
      approvalsMissing({
        approvals: [
          { user, at: '' },
          { user, at: '' },
        ],
        requiredApprovals: 1,
      }),
    ).toBe(0);
  });

  it('treats pending, approved and conflicting requests as open, finished ones as closed', () => {
    expect(['pending', 'approved', 'conflict'].map((status) => isOpen({ status: status as 'pending' }))).toEqual([true, true, true]);
    expect(['applied', 'rejected', 'cancelled'].map((status) => isOpen({ status: status as 'applied' }))).toEqual([false, false, false]);
  });
});
