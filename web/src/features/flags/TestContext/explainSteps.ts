import type { Explanation, FlagConfigView } from '../../../api/flags';
import { formatPercent } from '../../../components/common/rolloutSegments';
import { describeClause } from '../flagConfig';

export interface ExplainStep {
  title: string;
  outcome: 'decided' | 'passed' | 'failed' | 'skipped';
  detail: string;
}

const MEMBERSHIP: Record<string, string> = {
  included: 'listed as included',
  excluded: 'listed as excluded',
  rule: 'matched a segment rule',
  'no-rule-matched': 'matched none of its rules',
};

/** The evaluation walked step by step, in the order the evaluator takes them. */
export const explainSteps = (explanation: Explanation, config: FlagConfigView | undefined): ExplainStep[] => {
  const steps: ExplainStep[] = [];
  const decided = explanation.decidedBy;
  const served = `serves ${explanation.result.variant ?? JSON.stringify(explanation.result.value)}`;
  if (decided === 'FLAG_NOT_FOUND' || decided === 'INVALID_CONFIG' || decided === 'TYPE_MISMATCH' || decided === 'UNEXPECTED_ERROR') {
    return [{ title: 'Error', outcome: 'decided', detail: `${decided}: the caller's default is served` }];
  }
  steps.push(
    decided === 'KILLED'
      ? { title: 'Kill switch', outcome: 'decided', detail: `killed: ${served}${config?.kill ? ` (“${config.kill.reason}”)` : ''}` }
      : { title: 'Kill switch', outcome: 'passed', detail: 'not killed' },
  );
  if (decided === 'KILLED') return steps;
  steps.push(
    decided === 'DISABLED' ? { title: 'Targeting', outcome: 'decided', detail: `off: ${served}` } : { title: 'Targeting', outcome: 'passed', detail: 'on' },
  );
  if (decided === 'DISABLED') return steps;
  if (explanation.prerequisites.length > 0 || decided === 'PREREQUISITES') {
    const failed = explanation.prerequisites.find((p) => !p.passed);
    steps.push({
      title: 'Prerequisites',
      outcome: decided === 'PREREQUISITES' ? 'decided' : 'passed',
      detail:
        explanation.prerequisites
          .map((p) => `${p.flag} must serve ${p.requiredVariant}: it serves ${p.servedVariant ?? 'nothing'} ${p.passed ? '✓' : '✗'}`)
          .join('; ') + (failed ? ` → ${served}` : ''),
    });
    if (decided === 'PREREQUISITES') return steps;
  }
  if (explanation.targetMatched !== undefined || decided === 'TARGETS') {
    steps.push(
      decided === 'TARGETS'
        ? { title: 'Individual targets', outcome: 'decided', detail: `the targetingKey is listed: ${served}` }
        : { title: 'Individual targets', outcome: 'failed', detail: 'the targetingKey is not listed' },
    );
    if (decided === 'TARGETS') return steps;
  }
  for (const rule of explanation.rules) {
    const title = `Rule ${rule.index + 1}${rule.description ? `: ${rule.description}` : ''}`;
    if (rule.matched) {
      steps.push({ title, outcome: 'decided', detail: `every condition matched: ${served}${rolloutDetail(explanation)}` });
      return steps;
    }
    const failed = rule.failedClause;
    let detail = 'did not match';
    if (failed) {
      detail = `condition ${failed.index + 1} failed: ${describeClause(failed.clause)}`;
      if (failed.segments) {
        detail += ` — ${failed.segments.map((s) => `${s.member ? 'in' : 'not in'} ${s.segment} (${MEMBERSHIP[s.by] ?? s.by})`).join(', ')}`;
      } else if (failed.clause.op !== 'segment') {
        detail +=
          failed.attributeValue === undefined
            ? ` — the context has no ${failed.clause.attribute}`
            : ` — the context has ${JSON.stringify(failed.attributeValue)}`;
      }
    }
    steps.push({ title, outcome: 'failed', detail });
  }
  if (decided === 'DEFAULT_RULE') {
    steps.push({ title: 'Default rule', outcome: 'decided', detail: `${served}${rolloutDetail(explanation)}` });
  }
  return steps;
};

const rolloutDetail = (explanation: Explanation): string => {
  const rollout = explanation.rollout;
  if (!rollout) return '';
  if (rollout.bucket === undefined) return ` — the context has no ${rollout.bucketBy} to bucket by`;
  return ` — ${rollout.bucketBy} “${rollout.unit}” falls in bucket ${formatPercent(rollout.bucket / 1000)} (cut points ${rollout.cumulativeWeights
    .map((w) => formatPercent(w / 1000))
    .join(', ')})`;
};
