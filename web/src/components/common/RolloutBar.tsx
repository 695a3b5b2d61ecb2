import type { Rollout, Variant } from '@signalbox/sdk/core';
import { formatPercent, rolloutSegments } from './rolloutSegments';

const luminance = (hex: string): number => {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export const contrastRatio = (a: string, b: string): number => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
};

const LIGHT_TEXT = '#ffffff';
const DARK_TEXT = '#0b1220';

/**
 * The label colour that reads best on a segment: variant colours range from blue (white text,
 * 5.2:1) to slate and amber, where white gave 2.56:1 — dark text passes 4.5:1 on those.
 */
export const labelColor = (background: string): string =>
  contrastRatio(background, LIGHT_TEXT) >= contrastRatio(background, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;

export const RolloutBar = ({ rollout, variants, compact = false }: { rollout: Rollout; variants: Variant[]; compact?: boolean }) => {
  const segments = rolloutSegments(rollout, variants);
  const summary = segments.map((s) => `${s.variant} ${formatPercent(s.percent)}`).join(', ');
  return (
    <div className={`rollout-bar${compact ? ' rollout-bar-compact' : ''}`} role="img" aria-label={`Rollout: ${summary}`}>
      {segments.map((s) => (
        <div
          key={s.variant}
          className="rollout-segment"
          style={{ width: `${s.percent}%`, background: s.color, color: labelColor(s.color) }}
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
