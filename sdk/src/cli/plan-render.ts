// A plan as a person reviews it: one line per item (+ create, ~ update, - delete or archive) and,
// under it, the fields that change as -/+ lines.

export interface PlannedChange {
  resource: 'segment' | 'flag' | 'config';
  action: 'create' | 'update' | 'delete' | 'archive';
  key: string;
  environment?: string;
  version: number | null;
  fields: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface PlanConflict {
  resource: string;
  key: string;
  environment?: string;
  path: string;
  message: string;
}

export interface PlanOutcome {
  project: string;
  applied: boolean;
  changes: PlannedChange[];
  conflicts: PlanConflict[];
  summary: Record<'create' | 'update' | 'delete' | 'archive', number>;
  noChanges: boolean;
}

const SIGN = { create: '+', update: '~', delete: '-', archive: '-' } as const;

const itemOf = (c: PlannedChange): string => (c.resource === 'config' ? `config ${c.key} in ${c.environment}` : `${c.resource} ${c.key}`);

const value = (v: unknown): string => JSON.stringify(v ?? null);

/** A changed field as -/+ lines; of a list changed in place, only the elements that differ (`rules[2]`). */
const fieldLines = (field: string, before: unknown, after: unknown, hasBefore: boolean, hasAfter: boolean): string[] => {
  if (!Array.isArray(before) || !Array.isArray(after))
    return [...(hasBefore ? [`    - ${field}: ${value(before)}`] : []), ...(hasAfter ? [`    + ${field}: ${value(after)}`] : [])];
  const lines: string[] = [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (i < before.length && i < after.length && value(before[i]) === value(after[i])) continue;
    if (i < before.length) lines.push(`    - ${field}[${i}]: ${value(before[i])}`);
    if (i < after.length) lines.push(`    + ${field}[${i}]: ${value(after[i])}`);
  }
  return lines;
};

/** The lines of a plan (or of what an apply did, when `done`). */
export const renderPlan = (plan: PlanOutcome, done = false): string[] => {
  const lines: string[] = [];
  for (const c of plan.changes) {
    const version = c.version === null ? '' : ` (version ${c.version})`;
    lines.push(`${SIGN[c.action]} ${c.action === 'archive' || c.action === 'delete' ? `${c.action} ` : ''}${itemOf(c)}${version}`);
    for (const field of c.fields) lines.push(...fieldLines(field, c.before?.[field], c.after?.[field], c.before !== null, c.after !== null));
  }
  for (const conflict of plan.conflicts) lines.push(`! conflict at ${conflict.path}: ${conflict.message}`);
  const { create, update, delete: deleted, archive } = plan.summary;
  if (plan.noChanges) lines.push(`No changes: project ${plan.project} matches the file.`);
  else if (done) lines.push(`Applied: ${create} created, ${update} updated, ${archive} archived, ${deleted} deleted.`);
  else {
    const conflicts = plan.conflicts.length > 0 ? `; ${plan.conflicts.length} conflict(s): export again and reapply your edits` : '';
    lines.push(`Plan: ${create} to create, ${update} to update, ${archive} to archive, ${deleted} to delete${conflicts}.`);
  }
  return lines;
};
