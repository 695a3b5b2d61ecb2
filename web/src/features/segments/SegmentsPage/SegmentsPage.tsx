import { useState } from 'react';
import { useParams } from 'react-router';
import { errorMessage } from '../../../api/client';
import { usePermissions } from '../../../api/auth';
import type { ChangeRequest } from '../../../api/changeRequests';
import { type SegmentView, useDeleteSegment, useSegments } from '../../../api/segments';
import type { ProjectView } from '../../../api/projects';
import { formatTime } from '../../../components/common/format';
import { PageHeader } from '../../../components/common/PageHeader';
import { ActionsColumnHeader } from '../../../components/common/RowButtons';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { describeClause } from '../../flags/flagConfig';
import { ChangeRequestNotice } from '../../changeRequests/ChangeRequestNotice/ChangeRequestNotice';
import { SegmentEditor } from '../SegmentEditor/SegmentEditor';

export const SegmentsPage = ({ project }: { project: ProjectView }) => {
  const { canEdit } = usePermissions();
  const segments = useSegments(project.key);
  const remove = useDeleteSegment(project.key);
  const [editing, setEditing] = useState<SegmentView | 'new' | null>(null);
  // An address naming a segment (a change request links there) opens it in the editor once the list is here.
  const { segmentKey } = useParams();
  const [opened, setOpened] = useState<string | undefined>(undefined);
  if (segmentKey !== opened && segments.data) {
    setOpened(segmentKey);
    const named = segments.data.find((s) => s.key === segmentKey);
    if (named) setEditing(named);
  }
  const [deleteError, setDeleteError] = useState<{ key: string; message: string } | null>(null);
  // The last save that became a change request (the segment is used in an environment that requires approval).
  const [requested, setRequested] = useState<ChangeRequest | null>(null);

  const onDelete = async (segment: SegmentView) => {
    setDeleteError(null);
    setRequested(null);
    if (!window.confirm(`Delete segment ${segment.key}?`)) return;
    try {
      await remove.mutateAsync({ key: segment.key });
    } catch (error) {
      setDeleteError({ key: segment.key, message: errorMessage(error) });
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Segments"
        description={`Reusable audiences shared by every flag in ${project.name}.`}
        actions={
          canEdit && (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setRequested(null);
                setEditing('new');
              }}
            >
              + New segment
            </button>
          )
        }
      />
      {editing && (
        <SegmentEditor
          key={editing === 'new' ? 'new' : editing.key}
          project={project.key}
          segment={editing === 'new' ? null : editing}
          readOnly={!canEdit}
          onSaved={() => setEditing(null)}
          onRequested={(request) => {
            setEditing(null);
            setRequested(request);
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {requested && <ChangeRequestNotice request={requested} />}
      <QueryView query={segments} empty={<EmptyState title="No segments yet." />}>
        {(list) => (
          <div className="card table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Segment</th>
                  <th scope="col">Membership</th>
                  <th scope="col" className="col-tags">
                    Updated
                  </th>
                  <ActionsColumnHeader />
                </tr>
              </thead>
              <tbody>
                {list.map((segment) => (
                  <tr key={segment.key}>
                    <td>
                      <strong>{segment.name}</strong>
                      <div className="flag-meta">
                        <code>{segment.key}</code>
                      </div>
                      {segment.description && <div className="muted small">{segment.description}</div>}
                    </td>
                    <td className="small">
                      {segment.included.length > 0 && <div>in: {segment.included.join(', ')}</div>}
                      {segment.excluded.length > 0 && <div>out: {segment.excluded.join(', ')}</div>}
                      {segment.rules.map((rule, i) => (
                        <div key={i}>if {rule.clauses.map(describeClause).join(' and ')}</div>
                      ))}
                      {deleteError?.key === segment.key && (
                        <p className="form-error" role="alert">
                          {deleteError.message}
                        </p>
                      )}
                    </td>
                    <td className="col-tags small">
                      v{segment.version} · {formatTime(segment.updatedAt)}
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => {
                          setRequested(null);
                          setEditing(segment);
                        }}
                      >
                        {canEdit ? 'Edit' : 'View'}
                      </button>
                      {canEdit && (
                        <button type="button" className="btn btn-small btn-ghost danger" onClick={() => void onDelete(segment)}>
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </div>
  );
};
