import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../../../api/client';
import { useEnvironmentEvaluation } from '../../../api/evaluate';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { describedBy, FieldMessage } from '../../../components/common/FieldMessage';
import { PageHeader } from '../../../components/common/PageHeader';
import { Loading } from '../../../components/common/StateViews';
import { contextFromLink, parseContext } from '../contextText';
import { EvaluationTable } from '../EvaluationTable/EvaluationTable';

const SAMPLE = '{\n  "targetingKey": "run-42",\n  "pipeline": "prod-daily"\n}';

/**
 * "What does run X see?": every flag of the environment evaluated for one context on the server.
 * The context asked is kept in the link (`?context=`), so a result can be shared and reloaded.
 */
export const EvaluatePage = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const [search, setSearch] = useSearchParams();
  const asked = contextFromLink(search.get('context'));
  const [text, setText] = useState(() => (asked ? JSON.stringify(asked, null, 2) : SAMPLE));
  const [parseError, setParseError] = useState<string | null>(null);
  const evaluation = useEnvironmentEvaluation(project.key, environment.key, asked);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseContext(text);
    setParseError(parsed.error ?? null);
    if (!parsed.context) return;
    const link = JSON.stringify(parsed.context);
    // The same context again asks again: flags may have changed since.
    if (link === search.get('context')) void evaluation.refetch();
    else setSearch({ context: link }, { replace: true });
  };

  const failure = evaluation.error;
  const messages = parseError ? [parseError] : failure instanceof ApiError ? failure.fieldErrors.map((f) => `${f.field}: ${f.reason}`) : [];
  return (
    <div className="page evaluate-page">
      <PageHeader title="Evaluate" description={`What every flag in ${environment.name} serves a context, as an SDK would answer now.`} />
      <form className="card section" onSubmit={submit} aria-label="Context">
        <label htmlFor="evaluate-context" className="field-label">
          Context (JSON): targetingKey and any attributes your rules read
        </label>
        <textarea
          id="evaluate-context"
          className="code"
          rows={6}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          {...describedBy('context', messages)}
        />
        <FieldMessage path="context" messages={messages} />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={evaluation.isFetching}>
            {evaluation.isFetching ? 'Evaluating…' : `Evaluate in ${environment.name}`}
          </button>
        </div>
        {failure && (
          <p className="form-error" role="alert">
            {errorMessage(failure)}
          </p>
        )}
      </form>
      {asked === undefined ? null : evaluation.data ? (
        <EvaluationTable project={project.key} environment={environment.key} flags={evaluation.data.flags} />
      ) : (
        evaluation.isPending && <Loading label="Evaluating…" />
      )}
    </div>
  );
};
