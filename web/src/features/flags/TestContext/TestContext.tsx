import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../api/client';
import { type FlagView, useExplain } from '../../../api/flags';
import type { EnvironmentView } from '../../../api/projects';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { Badge } from '../../../components/common/Badge';
import { explainSteps } from './explainSteps';

const SAMPLE = '{\n  "targetingKey": "run-42",\n  "pipeline": "prod-daily",\n  "email": "ana@beta.example.com"\n}';

/** "Test a context": what the server would serve, which step decided, and why earlier rules failed. */
export const TestContext = ({ project, flag, environment }: { project: string; flag: FlagView; environment: EnvironmentView }) => {
  const [text, setText] = useState(SAMPLE);
  const [parseError, setParseError] = useState<string | null>(null);
  const explain = useExplain(project, flag.key, environment.key);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    let context: unknown;
    try {
      context = JSON.parse(text);
    } catch (error) {
      setParseError(`Not valid JSON: ${(error as Error).message}`);
      return;
    }
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
      setParseError('The context is a JSON object, e.g. {"targetingKey": "run-42"}');
      return;
    }
    setParseError(null);
    explain.mutate(context as Record<string, unknown>);
  };
  const result = explain.data;
  const messages = parseError ? [parseError] : [];
  return (
    <div className="test-context">
      <form className="card section" onSubmit={submit} aria-label="Test a context">
        <label htmlFor="explain-context" className="field-label">
          Context (JSON) evaluated in {environment.name}
        </label>
        <textarea
          id="explain-context"
          className="code"
          rows={7}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          {...describedBy('context', messages)}
        />
        <FieldMessage path="context" messages={messages} />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={explain.isPending}>
            {explain.isPending ? 'Evaluating…' : 'Evaluate'}
          </button>
        </div>
        {explain.isError && (
          <p className="form-error" role="alert">
            {errorMessage(explain.error)}
          </p>
        )}
      </form>
      {result && (
        <section className="card section explain-result" aria-label="Explanation" aria-live="polite">
          <div className="explain-served">
            <span>Serves</span>
            <strong className="explain-variant">{result.result.variant ?? '(default)'}</strong>
            <code>{JSON.stringify(result.result.value)}</code>
            <Badge tone="info">{result.result.reason}</Badge>
            {result.result.errorCode && <Badge tone="warn">{result.result.errorCode}</Badge>}
          </div>
          <ol className="explain-steps">
            {explainSteps(result, flag.environments[environment.key]).map((step, i) => (
              <li key={i} className={`step step-${step.outcome}`}>
                <span className="step-icon" aria-hidden="true">
                  {step.outcome === 'decided' ? '●' : step.outcome === 'failed' ? '✗' : '✓'}
                </span>
                <div>
                  <strong>{step.title}</strong>
                  <span className="visually-hidden"> ({step.outcome})</span>
                  <p>{step.detail}</p>
                </div>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
};
