import type { Rollout, Variant } from '@signalbox/sdk/core';
import { formatPercent, rolloutSegments } from './rolloutSegments';

export const RolloutBar = ({ rollout, variants, compact = false }: { rollout: Rollout; variants: Variant[]; compact?: boolean }) => {
  const segments = rolloutSegments(rollout, variants);
  const summary = segments.map((s) => `${s.variant} ${formatPercent(s.percent)}`).join(', ');
  return (
    <div className={`rollout-bar${compact ? ' rollout-bar-compact' : ''}`} role="img" aria-label={`Rollout: ${summary}`}>
      {segments.map((s) => (
        <div
          key={s.variant}
          className="rollout-segment"
          style={{ width: `${s.percent}%`, background: s.color }}
          title={`${s.variant}: ${formatPercent(s.percent)}`}
          data-variant={s.variant}
        >
          {!compact && s.percent >= 8 && (
            <span>
              {s.variant} {formatPercent(s.percent)}
            </span>
          )}
        </div>
      ))}
    </div>
  );
};
