import type { FlagConfigView, FlagView } from '../../../api/flags';
import { RolloutBar } from '../../../components/common/RolloutBar';
import { describeClause, serveSummary } from '../flagConfig';
import { targetingState } from './targetingState';

/** Read-only targeting, for viewers: the same information with no controls. */
export const TargetingSummary = ({ flag, config }: { flag: FlagView; config: FlagConfigView }) => (
  <div className="targeting-summary">
    <dl className="facts">
      <dt>Targeting</dt>
      <dd className={config.killed ? 'targeting-killed' : undefined}>{targetingState(config, config.on)}</dd>
      <dt>Off variant</dt>
      <dd>{config.offVariant ?? "caller's default"}</dd>
      <dt>Prerequisites</dt>
      <dd>{config.prerequisites.length === 0 ? 'none' : config.prerequisites.map((p) => `${p.flag} = ${p.variant}`).join(', ')}</dd>
      <dt>Individual targets</dt>
      <dd>{config.targets.length === 0 ? 'none' : config.targets.map((t) => `${t.variant}: ${t.values.join(', ')}`).join('; ')}</dd>
    </dl>
    <h3>Rules</h3>
    {config.rules.length === 0 ? (
      <p className="muted">No rules.</p>
    ) : (
      <ol className="rules-summary">
        {config.rules.map((rule, i) => (
          <li key={i}>
            {rule.description && <strong>{rule.description}: </strong>}
            if {rule.clauses.map(describeClause).join(' and ')} → serve {serveSummary(rule.serve)}
            {'rollout' in rule.serve && <RolloutBar rollout={rule.serve.rollout} variants={flag.variants} />}
          </li>
        ))}
      </ol>
    )}
    <h3>Default rule</h3>
    <p>Serve {serveSummary(config.defaultRule)}</p>
    {config.defaultRule && 'rollout' in config.defaultRule && <RolloutBar rollout={config.defaultRule.rollout} variants={flag.variants} />}
  </div>
);
