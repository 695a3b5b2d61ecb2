import type { Serve } from '@signalbox/sdk/core';
import type { EnvironmentView } from '../../../api/projects';
import type { FlagConfigView, FlagView } from '../../../api/flags';
import { sameJson } from '../../../components/common/diffJson';

/** One line of the side-by-side table: how each environment reads, and whether they disagree. */
export interface ComparisonRow {
  label: string;
  /** Per environment key; undefined where the flag has no config there. */
  cells: Record<string, string | undefined>;
  differs: boolean;
}

interface Aspect {
  label: string;
  show: (config: FlagConfigView) => string;
  /** What "the same" means; absent: bookkeeping that always differs and is never highlighted. */
  compared?: (config: FlagConfigView) => unknown;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const defaultServe = (serve: Serve | null): string => (!serve ? "the caller's default" : 'variant' in serve ? serve.variant : 'a rollout');

const rollout = (serve: Serve | null): string => {
  if (!serve || 'variant' in serve) return '—';
  const weights = serve.rollout.variants.map((v) => `${v.variant} ${v.weight / 1000}%`).join(' / ');
  return `${weights} by ${serve.rollout.bucketBy ?? 'targetingKey'}`;
};

const ASPECTS: Aspect[] = [
  { label: 'On', show: (c) => (c.on ? 'on' : 'off'), compared: (c) => c.on },
  { label: 'Killed', show: (c) => (c.killed ? `killed${c.kill ? ` by ${c.kill.by}` : ''}` : 'no'), compared: (c) => c.killed },
  { label: 'Off variant', show: (c) => c.offVariant ?? "the caller's default", compared: (c) => c.offVariant },
  { label: 'Prerequisites', show: (c) => plural(c.prerequisites.length, 'prerequisite'), compared: (c) => c.prerequisites },
  {
    label: 'Individual targets',
    show: (c) =>
      plural(
        c.targets.reduce((n, t) => n + t.values.length, 0),
        'key',
      ),
    compared: (c) => c.targets,
  },
  // Counted, but compared by content: two environments with three different rules each differ.
  { label: 'Rules', show: (c) => plural(c.rules.length, 'rule'), compared: (c) => c.rules },
  { label: 'Default serve', show: (c) => defaultServe(c.defaultRule), compared: (c) => c.defaultRule },
  { label: 'Rollout', show: (c) => rollout(c.defaultRule), compared: (c) => (c.defaultRule && 'rollout' in c.defaultRule ? c.defaultRule.rollout : null) },
  { label: 'Version', show: (c) => (c.version === 0 ? 'never written' : `v${c.version}`) },
];

/** A flag's config in every environment of its project, aspect by aspect. */
export const compareEnvironments = (flag: Pick<FlagView, 'environments'>, environments: EnvironmentView[]): ComparisonRow[] =>
  ASPECTS.map((aspect) => {
    const configs = environments.map((e) => flag.environments[e.key]);
    const cells = Object.fromEntries(environments.map((e, i) => [e.key, configs[i] && aspect.show(configs[i])]));
    const compared = aspect.compared;
    const present = configs.filter((c): c is FlagConfigView => c !== undefined);
    const differs = compared !== undefined && (present.length !== configs.length || present.some((c) => !sameJson(compared(c), compared(present[0]!))));
    return { label: aspect.label, cells, differs };
  });

/** The aspects in which the environments disagree. */
export const differingAspects = (rows: ComparisonRow[]): string[] => rows.filter((r) => r.differs).map((r) => r.label);
