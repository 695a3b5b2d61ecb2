import { useState } from 'react';
import {
  type ShadowRange,
  type ShadowRecommendation,
  type ShadowReport as ShadowReportData,
  type ShadowSide,
  useShadowReport,
} from '../../../api/shadowReports';
import type { EnvironmentView } from '../../../api/projects';
import { Badge, type Tone } from '../../../components/common/Badge';
import { formatTime } from '../../../components/common/format';
import { RangeToggle } from '../../../components/common/RangeToggle';
import { EmptyState, QueryView } from '../../../components/common/StateViews';

const RANGES: { key: ShadowRange; label: string }[] = [
  { key: '1h', label: 'Last hour' },
  { key: '24h', label: 'Last 24 h' },
  { key: '7d', label: 'Last 7 days' },
];

const RECOMMENDATIONS: Record<ShadowRecommendation, { label: string; tone: Tone }> = {
  'promote-to-canary': { label: 'Promote to canary', tone: 'on' },
  'collect-more-samples': { label: 'Collect more samples', tone: 'info' },
  'fix-errors': { label: 'Fix candidate errors', tone: 'killed' },
  'investigate-disagreements': { label: 'Investigate disagreements', tone: 'warn' },
  'optimise-latency': { label: 'Optimise latency', tone: 'warn' },
};

const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(v < 10 ? 2 : 1)} ms`);
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);
const json = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

const SideRow = ({ name, side }: { name: string; side: ShadowSide }) => (
  <tr>
    <th scope="row">{name}</th>
    <td>{side.count.toLocaleString()}</td>
    <td>{ms(side.p50)}</td>
    <td>{ms(side.p95)}</td>
    <td>
      {side.errors.toLocaleString()} <span className="muted">({pct(side.errorRate)})</span>
    </td>
  </tr>
);

/** How a shadowed candidate compares with the primary it runs beside: agreement, latency, errors, examples. */
// Too few samples is not a failure of the candidate: the report is still collecting (as rollout guards say).
const CheckBadge = ({ check }: { check: ShadowReportData['checks'][number] }) =>
  check.passed ? <Badge tone="on">pass</Badge> : check.name === 'samples' ? <Badge>collecting</Badge> : <Badge tone="killed">fail</Badge>;

export const ShadowReport = ({ project, flag, environment }: { project: string; flag: string; environment: EnvironmentView }) => {
  const [range, setRange] = useState<ShadowRange>('24h');
  const report = useShadowReport(project, flag, environment.key, range);
  return (
    <section className="card section" aria-labelledby="shadow-title">
      <div className="section-head">
        <h2 id="shadow-title">Shadow report in {environment.name}</h2>
        <RangeToggle ranges={RANGES} value={range} onChange={setRange} />
      </div>
      <QueryView
        query={report}
        loadingLabel="Loading shadow report…"
        isEmpty={(data) => data.samples === 0}
        empty={
          <EmptyState title={`No shadowed calls of ${flag} in ${environment.name} in this range.`}>
            Run a candidate beside the primary with <code>flags.shadow()</code> in the SDK; results appear here within a minute.
          </EmptyState>
        }
      >
        {(data) => (
          <>
            <p>
              Recommendation: <Badge tone={RECOMMENDATIONS[data.recommendation].tone}>{RECOMMENDATIONS[data.recommendation].label}</Badge>
            </p>
            <p className="small" aria-label="Agreement">
              <strong>{pct(data.agreementRate)}</strong> agreement over {data.comparisons.toLocaleString()} compared calls ({data.samples.toLocaleString()}{' '}
              where the candidate ran)
            </p>
            <div className="table-wrap">
              <table className="table">
                <caption className="caption">Primary vs candidate</caption>
                <thead>
                  <tr>
                    <th scope="col">Side</th>
                    <th scope="col">Calls</th>
                    <th scope="col">p50</th>
                    <th scope="col">p95</th>
                    <th scope="col">Errors</th>
                  </tr>
                </thead>
                <tbody>
                  <SideRow name="Primary" side={data.primary} />
                  <SideRow name="Candidate" side={data.candidate} />
                </tbody>
              </table>
            </div>
            <ul className="checks small" aria-label="Checks">
              {data.checks.map((c) => (
                <li key={c.name}>
                  <CheckBadge check={c} /> <strong>{c.name}</strong>: {c.detail}
                </li>
              ))}
            </ul>
            {data.notes.map((n) => (
              <p key={n} className="muted small">
                {n}
              </p>
            ))}
            <h3>Disagreements and failures</h3>
            {data.examples.length === 0 ? (
              <p className="muted">None: the candidate agreed every time.</p>
            ) : (
              <div className="table-wrap">
                <table className="table" aria-label="Disagreement examples">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Input</th>
                      <th scope="col">Primary</th>
                      <th scope="col">Candidate</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.examples.map((e, i) => (
                      <tr key={i}>
                        <td className="small">{formatTime(e.at)}</td>
                        <td>{e.kind === 'shadow.candidate_error' ? <Badge tone="killed">error</Badge> : <Badge tone="warn">disagreement</Badge>}</td>
                        <td>
                          <code className="small">{json(e.input)}</code>
                        </td>
                        <td>
                          <code className="small">{json(e.primary)}</code>
                        </td>
                        <td>
                          <code className="small">{e.error ?? json(e.candidate)}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
};
