import type { ChangeRequest } from '../../api/changeRequests';
import { aConfig } from '../../test/render';

export const ANA = { id: 'u-ana', email: 'ana@example.com' };
export const BO = { id: 'u-bo', email: 'bo@example.com' };

/** A pending config change request by Ana: the default rule from `on` to `off` on version 3 (test data). */
export const aChangeRequest = (overrides: Partial<ChangeRequest> = {}): ChangeRequest => ({
  id: '6b1f7c1e-3f8a-4c59-9a53-0e9d2b1c4a10',
  number: 7,
  project: 'demo',
  environment: 'production',
  kind: 'config',
  flag: 'etl.use-new-transformer',
  baseVersion: 3,
  change: { ...aConfig({ version: 3 }), defaultRule: { variant: 'off' } },
  diff: { before: aConfig({ version: 3 }), after: { ...aConfig({ version: 3 }), defaultRule: { variant: 'off' } } },
  reason: 'switch the GPU step off',
  author: ANA,
  reviewers: [],
  status: 'pending',
  requiredApprovals: 2,
  approvals: [],
  rejections: [],
  comments: [],
  createdAt: '2026-12-04T10:00:00.000Z',
  updatedAt: '2026-12-04T10:00:00.000Z',
  appliedAt: null,
  appliedVersion: null,
  stale: false,
  segment: null,
  runAt: null,
  scheduledChangeId: null,
  ...overrides,
});

/** What GET /auth/me answers for a signed-in user. */
export const meAs = (user: { id: string; email: string }, role: 'viewer' | 'editor' | 'admin' = 'editor') => ({
  kind: 'user',
  name: user.email,
  role,
  user: { ...user, name: user.email, role },
});
