import type { GuardRow, RolloutPlan } from '../../../api/rollouts';
import { Badge, type Tone } from '../../../components/common/Badge';
import { formatTime } from '../../../components/common/format';
import { pValueText } from '../../experiments/experimentSeries';
import { excessValue, guardLabel, guardValue, VERDICT_LABELS, windowSummary } from '../guardFigures';

const DECISION_TONES: Record<GuardRow['decision'], Tone> = { fail: 'killed', pass: 'on', wait: 'warn' };
const VERDICT_TONES: Record<NonNullable<RolloutPlan['guardStatus']>['verdict']['decision'], Tone> = { fail: 'killed', advance: 'on', wait: 'warn' };

const FixedHorizon = ({ row }: { row: GuardRow }) =>
  row.passing === null ? (
    <Badge>{row.guard === 'stage samples' ? 'collecting' : 'not enough data'}</Badge>
  ) : row.guard === 'stage samples' ? (
    <Badge tone="on">reached</Badge>
  ) : row.passing ? (
    <Badge tone="on">within</Badge>
  ) : (
    <Badge tone="killed">over the limit</Badge>
  );

/** The always-valid figures, labelled with their method so no one mistakes them for the fixed-horizon ones. */
const Sequential = ({ row }: { row: GuardRow }) => {
  const s = row.sequential;
  if (!s) return <span className="muted small">{row.guard === 'bound' && row.passing !== null ? 'none for a quantile' : '—'}</span>;
  return (
    <div className="small">
      <div>
        <strong>{s.decision}</strong> · mSPRT confidence sequence {excessValue(row, s.interval.lower)} to {excessValue(row, s.interval.upper)}
      </div>
      <div className="muted">
        excess {excessValue(row, s.excess)} over the limit, always-valid {pValueText(s.pValue)}, α = {s.alpha.toPrecision(2)}
      </div>
      <div className="muted">tests {s.tested}</div>
    </div>
  );
};

/** The guards as the server's scheduler judges them now: one source of truth, nothing recomputed here. */
export const GuardStatus = ({ plan }: { plan: RolloutPlan }) => {
  const status = plan.guardStatus;
  if (!plan.stageStartedAt || status === null) return <p className="muted small">Guards judge once the first stage starts.</p>;
  const srm = status.sampleRatio;
  return (
    <div>
      <dl className="small" aria-label="Stage window">
        <dt>Stage window</dt>
        <dd>
          {formatTime(status.from)} to {formatTime(status.to)}: {windowSummary(status.window)}
        </dd>
        <dt>Next scheduler pass</dt>
        <dd>
          <Badge tone={VERDICT_TONES[status.verdict.decision]}>{VERDICT_LABELS[status.verdict.decision]}</Badge>
          {plan.status === 'paused' && status.verdict.decision === 'advance' && <span className="muted"> (once resumed: a paused plan only rolls back)</span>}
          <ul aria-label="Why">
            {status.verdict.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </dd>
      </dl>
      {srm &&
        (srm.mismatch ? (
          <div className="notice small" role="status">
            <strong>Sample ratio mismatch.</strong> {srm.observed[0]} candidate and {srm.observed[1]} control observations where the split expects{' '}
            {Math.round(srm.expected[0]!)} and {Math.round(srm.expected[1]!)} (χ² = {srm.chiSquare.toFixed(1)}, {pValueText(srm.pValue)}). The stage waits: its
            figures compare groups the split did not make.
          </div>
        ) : (
          <p className="muted small">
            Split check: {srm.observed[0]} candidate and {srm.observed[1]} control observations, as the split expects (χ² {pValueText(srm.pValue)}).
          </p>
        ))}
      <GuardTable
        rows={status.rows}
        label="Guard metrics"
        caption={`Guards since this stage started, candidate ${plan.candidateVariant} vs control ${plan.controlVariant}. Fixed-horizon: the point estimate against the limit. Sequential: an mSPRT confidence sequence for the excess over the limit, valid however often it is read (α = ${status.alpha} shared by the guards).`}
      />
    </div>
  );
};

/** Each guard with its fixed-horizon and sequential (mSPRT) figures and the decision they gave. */
export const GuardTable = ({ rows, label, caption }: { rows: GuardRow[]; label: string; caption: string }) => (
  <div className="table-wrap">
    <table className="table" aria-label={label}>
      <caption className="caption">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Guard</th>
          <th scope="col">Candidate</th>
          <th scope="col">Control</th>
          <th scope="col">Threshold</th>
          <th scope="col">Fixed-horizon</th>
          <th scope="col">Sequential (mSPRT)</th>
          <th scope="col">Decision</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.guard}-${row.metric}-${row.stat ?? ''}`}>
            <td>
              {guardLabel(row)} <code className="small">{row.metric}</code>
            </td>
            <td>{guardValue(row, row.candidate)}</td>
            <td>{guardValue(row, row.control)}</td>
            <td className="small">{row.limit}</td>
            <td>
              <FixedHorizon row={row} />
            </td>
            <td>
              <Sequential row={row} />
            </td>
            <td>
              <Badge tone={DECISION_TONES[row.decision]}>{row.decision}</Badge>
              {row.decidedBy && <span className="muted small"> by {row.decidedBy}</span>}
              <div className="small">{row.failure ?? row.why}</div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);
