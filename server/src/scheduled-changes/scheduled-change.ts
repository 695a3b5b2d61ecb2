import type { FieldProblem } from '../common/errors/domain-error.js';
import type { FlagConfigChange, FlagConfigState } from '../flags/flag-config-change.js';
import { mergeConfigPatch, toPrerequisites, toRules, toServe, toTargets } from '../flags/flag-config.mapper.js';
import type { ScheduledChangeKind, ScheduledConfig } from './scheduled-change.entity.js';

/** How far ahead a change may be scheduled: a year covers "next quarter's launch"; beyond that, plans change. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

/** Problems with a run time, against `now`. */
export const runAtProblems = (runAt: Date, now: Date): FieldProblem[] => {
  if (Number.isNaN(runAt.getTime())) return [{ field: 'runAt', reason: 'must be an ISO 8601 date-time' }];
  if (runAt.getTime() <= now.getTime()) return [{ field: 'runAt', reason: `must be in the future (it is ${now.toISOString()} now)` }];
  if (runAt.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) return [{ field: 'runAt', reason: 'must be at most 366 days ahead' }];
  return [];
};

/**
 * The config a scheduled change writes over `current`: a replacement sets every editable field; a
 * patch merges the way PATCH does. A kill stays as it is either way (only the kill switch kills and restores).
 */
export const scheduledConfig = (kind: ScheduledChangeKind, config: ScheduledConfig, current: Readonly<FlagConfigState>): FlagConfigState =>
  kind === 'patch'
    ? mergeConfigPatch(current, config)
    : {
        on: config.on ?? current.on,
        kill: current.kill,
        offVariant: config.offVariant ?? null,
        targets: toTargets(config.targets ?? []),
        rules: toRules(config.rules ?? []),
        defaultRule: config.defaultRule ? toServe(config.defaultRule) : null,
        prerequisites: toPrerequisites(config.prerequisites ?? []),
      };

/** The change FlagsService writes when a scheduled change is due: based on the version it was made against. */
export const toConfigChange = (change: {
  kind: ScheduledChangeKind;
  config: ScheduledConfig;
  baseVersion: number;
  reason: string | null;
}): FlagConfigChange => ({
  action: 'flag.config.updated',
  reason: change.reason ?? undefined,
  basedOnVersion: change.baseVersion,
  apply: (current) => scheduledConfig(change.kind, change.config, current),
});
