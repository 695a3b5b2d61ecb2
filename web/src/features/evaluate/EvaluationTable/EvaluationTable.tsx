import { useState } from 'react';
import { Link } from 'react-router';
import type { FlagEvaluation } from '../../../api/evaluate';
import { Badge } from '../../../components/common/Badge';
import { paths } from '../../shell/workspace/workspace';
import { describeRule, filterEvaluations, showValue } from '../evaluationRows';
import './EvaluationTable.css';

/** Every flag's answer for one context, with a filter; each flag links to its page (the Test tab explains the answer). */
export const EvaluationTable = ({ project, environment, flags }: { project: string; environment: string; flags: FlagEvaluation[] }) => {
  const [filter, setFilter] = useState('');
  const shown = filterEvaluations(flags, filter);
  return (
    <section className="card section" aria-label="Results">
      <div className="toolbar">
        <label className="grow">
          <span>Filter</span>
          <input type="search" value={filter} placeholder="flag key, variant, reason…" onChange={(e) => setFilter(e.target.value)} />
        </label>
        <p className="muted" role="status">
          {shown.length === flags.length ? `${flags.length} flags` : `${shown.length} of ${flags.length} flags`}
        </p>
      </div>
      {shown.length === 0 ? (
        <p className="muted">{flags.length === 0 ? 'This environment has no active flags.' : 'No flag matches the filter.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table evaluation-table">
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Value</th>
                <th scope="col">Variant</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((f) => (
                <tr key={f.flagKey}>
                  <th scope="row">
                    <Link to={paths.flag(project, environment, f.flagKey, 'test')}>
                      <code>{f.flagKey}</code>
                    </Link>
                  </th>
                  <td>
                    <code>{showValue(f)}</code>
                  </td>
                  <td>{f.variant ?? <span className="muted">—</span>}</td>
                  <td>
                    <span className="evaluation-reason">
                      <Badge tone="info">{f.reason}</Badge>
                      {f.errorCode && <Badge tone="warn">{f.errorCode}</Badge>}
                      {f.rule && <span className="muted">{describeRule(f.rule)}</span>}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
};
