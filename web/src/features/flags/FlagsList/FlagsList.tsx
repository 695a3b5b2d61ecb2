import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { usePermissions } from '../../../api/auth';
import { useFlagList, useFlagTotal } from '../../../api/flagList';
import { useStaleFlags } from '../../../api/flags';
import { useEvaluationBuckets } from '../../../api/evaluationMetrics';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { PageHeader } from '../../../components/common/PageHeader';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { paths } from '../../shell/workspace/workspace';
import { CopyEnvironmentDialog } from '../CopyEnvironment/CopyEnvironmentDialog';
import { CreateFlagDialog } from '../CreateFlagDialog/CreateFlagDialog';
import { sparklinesByFlag } from '../../telemetry/evaluationSeries';
import { FlagRow } from './FlagRow/FlagRow';
import { defaultOrder, type ListState, listStateOf, SORT_FIELDS, type StatusFilter, toFlagSearch, withListState } from './listState';
import { SearchBox } from './SearchBox/SearchBox';

/** A row's height before it is measured (a flag with a rollout bar is about this tall). */
const ESTIMATED_ROW_PX = 64;
/** Rows rendered beyond the visible ones, so a fast scroll does not show blanks. */
const OVERSCAN_ROWS = 8;
/** Ask for the next page when this few loaded rows remain below the last visible one. */
const LOAD_AHEAD_ROWS = 20;

/** Options of a select: the values on the loaded rows, plus the one selected (it may be on no loaded row). */
const optionsOf = (values: Iterable<string>, selected: string) => [...new Set([...values, ...(selected ? [selected] : [])])].sort();

export const FlagsList = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const { canEdit } = usePermissions();
  const [creating, setCreating] = useState(false);
  const [copying, setCopying] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const state = listStateOf(search);
  // The URL as last written. React Router's functional update hands over the params of the render
  // that made the callback, so two changes before the next render (a sort, then an order, on a busy
  // machine; a debounced search that fires after another filter) would each undo the other.
  const latest = useRef(search);
  useEffect(() => {
    latest.current = search;
  }, [search]);
  const setState = (change: Partial<ListState>) => {
    latest.current = withListState(latest.current, change);
    setSearch(latest.current, { replace: true });
  };

  const list = useFlagList(project.key, toFlagSearch(state, environment.key));
  const { flags, total } = list;
  const anyFlags = useFlagTotal(project.key, { archived: 'all' });
  const killed = useFlagTotal(project.key, { status: 'killed', environment: environment.key });
  const tags = useMemo(
    () =>
      optionsOf(
        flags.flatMap((f) => f.tags),
        state.tag,
      ),
    [flags, state.tag],
  );
  const owners = useMemo(
    () =>
      optionsOf(
        flags.flatMap((f) => (f.owner ? [f.owner] : [])),
        state.owner,
      ),
    [flags, state.owner],
  );
  const stale = useStaleFlags(project.key, state.status === 'stale');
  const staleReasons = useMemo(() => new Map((stale.data?.flags ?? []).map((f) => [f.key, f.reasons])), [stale.data]);
  const evaluations = useEvaluationBuckets(project.key, environment.key, '24h');
  const sparklines = useMemo(() => sparklinesByFlag(evaluations.data ?? []), [evaluations.data]);
  const showActivity = sparklines.size > 0;
  const killedCount = killed.data ?? 0;

  const scroller = useRef<HTMLDivElement>(null);
  // TanStack Virtual: which rows are near the viewport. Its answers change on every scroll and each
  // change re-renders this component, so read them during render and never memoise them (which is
  // what the rule below warns about; the console does not run React Compiler).
  // eslint-disable-next-line react-hooks/incompatible-library
  const rows = useVirtualizer<HTMLDivElement, HTMLTableRowElement>({
    count: flags.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    getItemKey: (index) => flags[index]?.key ?? index,
  });
  const items = rows.getVirtualItems();
  const lastVisible = items.at(-1)?.index ?? 0;
  const { hasMore, loadMore } = list;
  useEffect(() => {
    if (hasMore && lastVisible >= flags.length - LOAD_AHEAD_ROWS) loadMore();
  }, [hasMore, lastVisible, flags.length, loadMore]);
  // A new search or order starts at the top.
  const searchKey = search.toString();
  useEffect(() => {
    scroller.current?.scrollTo?.({ top: 0 });
  }, [searchKey]);

  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? rows.getTotalSize() - items.at(-1)!.end : 0;
  const columns = showActivity ? 6 : 5;

  return (
    <div className="page">
      <PageHeader
        title="Flags"
        description={
          <>
            {project.name} · status in <strong>{environment.name}</strong>
            {killedCount > 0 && (
              <>
                {' · '}
                <button type="button" className="link-button danger" onClick={() => setState({ status: 'killed' })}>
                  {killedCount} killed
                </button>
              </>
            )}
          </>
        }
        actions={
          canEdit && (
            <div className="page-actions">
              {project.environments.length > 1 && (
                <button type="button" className="btn" onClick={() => setCopying(true)}>
                  Copy from environment…
                </button>
              )}
              <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
                + New flag
              </button>
            </div>
          )
        }
      />
      {copied && (
        <p className="notice" role="status">
          {copied}
        </p>
      )}
      <div className="toolbar card" role="search" aria-label="Filter flags">
        <SearchBox value={state.q} onSearch={(q) => setState({ q })} placeholder="key, name, description or tag" />
        <div className="field">
          <label htmlFor="filter-tag">Tag</label>
          <select id="filter-tag" value={state.tag} onChange={(e) => setState({ tag: e.target.value })}>
            <option value="">all tags</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={state.status} onChange={(e) => setState({ status: e.target.value as StatusFilter })}>
            <option value="">any</option>
            <option value="on">on</option>
            <option value="off">off</option>
            <option value="killed">killed</option>
            <option value="stale">stale</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-owner">Owner</label>
          <select id="filter-owner" value={state.owner} onChange={(e) => setState({ owner: e.target.value })}>
            <option value="">anyone</option>
            {owners.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sort-by">Sort by</label>
          <select
            id="sort-by"
            value={state.sort}
            onChange={(e) => {
              const sort = e.target.value as ListState['sort'];
              setState({ sort, order: defaultOrder(sort) });
            }}
          >
            {SORT_FIELDS.map((s) => (
              <option key={s.field} value={s.field}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sort-order">Order</label>
          <select id="sort-order" value={state.order} onChange={(e) => setState({ order: e.target.value as ListState['order'] })}>
            <option value="asc">{state.sort === 'key' || state.sort === 'name' ? 'A → Z' : 'oldest first'}</option>
            <option value="desc">{state.sort === 'key' || state.sort === 'name' ? 'Z → A' : 'newest first'}</option>
          </select>
        </div>
        <label className="checkbox-inline">
          <input type="checkbox" checked={state.showArchived} onChange={(e) => setState({ showArchived: e.target.checked })} />
          Show archived
        </label>
      </div>
      <QueryView
        query={list.query}
        loadingLabel="Loading flags…"
        isEmpty={() => flags.length === 0}
        empty={
          <EmptyState title={anyFlags.data === 0 ? 'No flags yet.' : 'No flags match these filters.'}>
            {anyFlags.data === 0 && canEdit && 'Create one with “New flag”.'}
          </EmptyState>
        }
      >
        {() => (
          <>
            <p className="muted small flags-count" aria-live="polite">
              {total === 1 ? '1 flag' : `${total} flags`}
              {list.isPlaceholder && ' · searching…'}
            </p>
            {/* Only the rows near the viewport are in the DOM; spacer rows keep the scrollbar true to the whole list. */}
            <div ref={scroller} className="card table-wrap flags-scroller" style={{ maxHeight: 'calc(100vh - 260px)', overflowY: 'auto' }}>
              <table className="table flags-table" aria-rowcount={total + 1}>
                <caption className="visually-hidden">
                  Flags of {project.name} in {environment.name}
                </caption>
                <thead style={{ position: 'sticky', top: 0, zIndex: 1 }}>
                  <tr>
                    <th scope="col">Flag</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="col-serving">
                      Serving
                    </th>
                    {showActivity && (
                      <th scope="col" className="col-activity">
                        <span title={`Evaluations in ${environment.name} over the last 24 hours`}>24 h</span>
                      </th>
                    )}
                    <th scope="col" className="col-envs">
                      Environments
                    </th>
                    <th scope="col" className="col-tags">
                      Tags
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {padTop > 0 && (
                    <tr aria-hidden="true">
                      <td colSpan={columns} style={{ height: padTop, padding: 0, border: 0 }} />
                    </tr>
                  )}
                  {items.map((item) => {
                    const flag = flags[item.index]!;
                    return (
                      <FlagRow
                        key={item.key}
                        index={item.index}
                        measure={rows.measureElement}
                        flag={flag}
                        project={project}
                        environment={environment.key}
                        staleReasons={state.status === 'stale' ? staleReasons.get(flag.key) : undefined}
                        sparkline={sparklines.get(flag.key)}
                        showActivity={showActivity}
                      />
                    );
                  })}
                  {padBottom > 0 && (
                    <tr aria-hidden="true">
                      <td colSpan={columns} style={{ height: padBottom, padding: 0, border: 0 }} />
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
          </>
        )}
      </QueryView>
      {creating && (
        <CreateFlagDialog
          project={project.key}
          onClose={() => setCreating(false)}
          onCreated={(flag) => navigate(paths.flag(project.key, environment.key, flag.key))}
        />
      )}
      {copying && (
        <CopyEnvironmentDialog
          project={project.key}
          target={environment}
          environments={project.environments}
          onClose={() => setCopying(false)}
          onCopied={(count) => {
            setCopying(false);
            setCopied(`Copied ${count} flag${count === 1 ? '' : 's'} into ${environment.name} in one transaction; each is in the audit log with your reason.`);
          }}
        />
      )}
    </div>
  );
};
