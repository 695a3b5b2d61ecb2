import type { AuditNotice } from '../audit/audit.service.js';
import { ADMIN_KINDS, type AdminChangeKind, type ConsoleChange, PROJECT_KINDS, PROJECT_LIST_KINDS, type ProjectChangeKind } from './console.messages.js';

const isProjectKind = (kind: string): kind is ProjectChangeKind =>
  (PROJECT_KINDS as readonly string[]).includes(kind) || (PROJECT_LIST_KINDS as readonly string[]).includes(kind);
const isAdminKind = (kind: string): kind is AdminChangeKind => (ADMIN_KINDS as readonly string[]).includes(kind);
const nullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';

/**
 * What the console is told of a notice on the console channel (an audited change, or a rollout
 * step): rollout plans and experiments are recorded against their flag, so their action names
 * them. Undefined for anything that is not a notice (e.g. `{ reconnected: true }` after a lost
 * LISTEN session, which the change log's resync already covers) or that names no project when
 * its kind needs one.
 */
export const changeOfNotice = (payload: unknown): ConsoleChange | undefined => {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { project, environment, resourceType, key, action } = payload as Partial<Record<keyof AuditNotice, unknown>>;
  if (!nullableString(project) || !nullableString(environment) || typeof resourceType !== 'string' || typeof key !== 'string' || typeof action !== 'string')
    return undefined;
  const kind = action.startsWith('rollout.') ? 'rollout' : action.startsWith('experiment.') ? 'experiment' : resourceType;
  if (isAdminKind(kind)) return { kind, project, environment: null, key, sequence: null, action };
  if (isProjectKind(kind) && project !== null) return { kind, project, environment, key, sequence: null, action };
  return undefined;
};

/** The notice of a rollout step, which the audit log may not carry (a plan aborted before its first stage changes no config). */
export const rolloutNotice = (event: { projectKey: string; environmentKey: string; flagKey: string }, action: string): AuditNotice => ({
  project: event.projectKey,
  environment: event.environmentKey,
  resourceType: 'flag',
  key: event.flagKey,
  action,
});
