import { useState } from 'react';
import { type AuditFilters, useAuditLog } from '../../../api/audit';
import type { ProjectView } from '../../../api/projects';
import { PageHeader } from '../../../components/common/PageHeader';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { AuditEntryList } from '../AuditEntryList/AuditEntryList';

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export const AuditLogPage = ({ project }: { project: ProjectView }) => {
  const [filters, setFilters] = useState<AuditFilters>({ project: project.key });
  const [draft, setDraft] = useState({ flag: '', actor: '', environment: '', resourceType: '', from: '', to: '' });
  const audit = useAuditLog(filters);
  const set = (name: keyof typeof draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value }));
  const apply = () =>
    setFilters({
      project: project.key,
      flag: draft.flag || undefined,
      actor: draft.actor || undefined,
      environment: draft.environment || undefined,
      // The select offers only resource types the server accepts.
      resourceType: (draft.resourceType || undefined) as AuditFilters['resourceType'],
      from: toIso(draft.from),
      to: toIso(draft.to),
    });
  return (
    <div className="page">
      <PageHeader title="Audit log" description={`Every change in ${project.name}: who, when, why, and what it was before.`} />
      <form
        className="toolbar card"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <div className="field">
          <label htmlFor="filter-flag-key">Flag key</label>
          <input id="filter-flag-key" value={draft.flag} onChange={set('flag')} placeholder="any" />
        </div>
        <div className="field">
          <label htmlFor="filter-actor">Actor</label>
          <input id="filter-actor" value={draft.actor} onChange={set('actor')} placeholder="any" />
        </div>
        <div className="field">
          <label htmlFor="filter-environment">Environment</label>
          <select id="filter-environment" value={draft.environment} onChange={set('environment')}>
            <option value="">any</option>
            {project.environments.map((env) => (
              <option key={env.key} value={env.key}>
                {env.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-resource">Resource</label>
          <select id="filter-resource" value={draft.resourceType} onChange={set('resourceType')}>
            <option value="">any</option>
            <option value="flag">flag</option>
            <option value="segment">segment</option>
            <option value="environment">environment</option>
            <option value="project">project</option>
            <option value="token">token</option>
            <option value="user">user</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-from">From</label>
          <input id="filter-from" type="datetime-local" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="filter-to">To</label>
          <input id="filter-to" type="datetime-local" value={draft.to} onChange={set('to')} />
        </div>
        <button type="submit" className="btn btn-primary">
          Apply
        </button>
      </form>
      <QueryView query={audit} empty={<EmptyState title="No entries match these filters." />} isEmpty={(data) => data.pages.every((p) => p.items.length === 0)}>
        {(data) => (
          <AuditEntryList
            entries={data.pages.flatMap((p) => p.items)}
            hasMore={!!audit.hasNextPage}
            loadingMore={audit.isFetchingNextPage}
            onLoadMore={() => void audit.fetchNextPage()}
          />
        )}
      </QueryView>
    </div>
  );
};
