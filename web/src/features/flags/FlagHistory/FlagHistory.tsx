import { useAuditLog } from '../../../api/audit';
import { AuditEntryList } from '../../audit/AuditEntryList/AuditEntryList';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { FlagVersions } from './FlagVersions/FlagVersions';

/** The flag's config versions in one environment (revertable), then its whole audit history there (and its environment-independent changes). */
export const FlagHistory = ({ project, flagKey, environment }: { project: string; flagKey: string; environment?: string }) => {
  const audit = useAuditLog({ project, flag: flagKey, environment }, 20);
  // A failed refresh keeps the history on screen (with a stale notice); only a first load shows the error.
  return (
    <>
      {environment && <FlagVersions project={project} flagKey={flagKey} environment={environment} />}
      <h3>All changes</h3>
      <QueryView query={audit} loadingLabel="Loading history…">
        {(data) => {
          const entries = data.pages.flatMap((p) => p.items);
          if (entries.length === 0) return <EmptyState title="No changes recorded yet." />;
          return (
            <AuditEntryList
              entries={entries}
              hasMore={!!audit.hasNextPage}
              loadingMore={audit.isFetchingNextPage}
              onLoadMore={() => void audit.fetchNextPage()}
              showResource={false}
            />
          );
        }}
      </QueryView>
    </>
  );
};
