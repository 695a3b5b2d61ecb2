import { type StaleReasonCode, useStaleFlags } from '../../../api/flags';
import { Badge } from '../../../components/common/Badge';
import { formatTime } from '../../../components/common/format';

const TITLES: Record<StaleReasonCode, string> = {
  EXPIRED: 'Expired',
  SINGLE_VARIANT: 'Serves one variant',
  UNUSED: 'Unused',
};

/** Why the stale-flag report lists this flag; nothing when it does not. */
export const StalePanel = ({ project, flagKey }: { project: string; flagKey: string }) => {
  const report = useStaleFlags(project, true);
  const entry = report.data?.flags.find((f) => f.key === flagKey);
  if (!entry || entry.reasons.length === 0) return null;
  return (
    <section className="card section stale-panel" aria-labelledby="stale-title">
      <h2 id="stale-title" className="small">
        <Badge tone="stale">stale</Badge> This flag looks ready to clean up
      </h2>
      <ul>
        {entry.reasons.map((reason) => (
          <li key={reason.code}>
            <strong>{TITLES[reason.code] ?? reason.code}</strong>: {reason.message} <span className="muted small">(since {formatTime(reason.since)})</span>
          </li>
        ))}
      </ul>
    </section>
  );
};
