/** What went wrong, independent of transport; http-error.mapper.ts maps each code to a status. */
export const DOMAIN_ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VERSION_CONFLICT',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  // Change requests (change-requests/): the author approving their own request; a write that needs
  // an approved change request from a caller who cannot make one; applying before enough approvals;
  // applying after the base version moved.
  'SELF_APPROVAL',
  'APPROVAL_REQUIRED',
  'NOT_APPROVED',
  'STALE_BASE',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export interface FieldProblem {
  field: string;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validationFailed = (problems: FieldProblem[]): DomainError =>
  new DomainError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);

export const notFound = (what: string, key: string): DomainError => new DomainError('NOT_FOUND', `${what} '${key}' does not exist`);

export const versionConflict = (what: string, currentVersion: number, current?: unknown): DomainError =>
  new DomainError('VERSION_CONFLICT', `${what} was changed by someone else: it is at version ${currentVersion}`, {
    currentVersion,
    current,
  });

export const conflict = (message: string, details?: unknown): DomainError => new DomainError('CONFLICT', message, details);

export const forbidden = (message = 'You are not allowed to do this'): DomainError => new DomainError('FORBIDDEN', message);

export const unauthenticated = (message = 'Sign in or send a valid token'): DomainError => new DomainError('UNAUTHENTICATED', message);
