import type { ChangeRequest, ChangeRequestStatus } from '../../api/changeRequests';
import type { Tone } from '../../components/common/Badge';

export const STATUS_TONES: Record<ChangeRequestStatus, Tone> = {
  pending: 'info',
  approved: 'on',
  rejected: 'off',
  applied: 'neutral',
  cancelled: 'neutral',
  conflict: 'warn',
};

/** "1 of 2 approvals". */
export const approvalCount = (request: Pick<ChangeRequest, 'approvals' | 'requiredApprovals'>): string =>
  `${request.approvals.length} of ${request.requiredApprovals} approval${request.requiredApprovals === 1 ? '' : 's'}`;

/** How many more approvals it needs before it can be applied (0 once approved). */
export const approvalsMissing = (request: Pick<ChangeRequest, 'approvals' | 'requiredApprovals'>): number =>
  Math.max(0, request.requiredApprovals - request.approvals.length);

export const KIND_LABELS: Record<ChangeRequest['kind'], string> = {
  config: 'Config change',
  restore: 'Restore after a kill',
  archive: 'Archive',
  'rollout-plan': 'Rollout plan',
  segment: 'Segment change',
};

/** Pending or approved: still open to reviews, apply, rebase and cancel. */
export const isOpen = (request: Pick<ChangeRequest, 'status'>): boolean =>
  request.status === 'pending' || request.status === 'approved' || request.status === 'conflict';
