/** Small buttons for a row of a list (a trigger, a webhook), named after the row for screen readers. */

/** Disable or Enable, whichever the row's state calls for. */
export const EnableButton = ({
  name,
  enabled,
  pending,
  onToggle,
}: {
  name: string;
  enabled: boolean;
  pending: boolean;
  onToggle: (enabled: boolean) => void;
}) => (
  <button
    type="button"
    className="btn btn-small"
    aria-label={`${enabled ? 'Disable' : 'Enable'} ${name}`}
    disabled={pending}
    onClick={() => onToggle(!enabled)}
  >
    {enabled ? 'Disable' : 'Enable'}
  </button>
);

/** Delete, after the browser's confirmation with `question`. */
export const DeleteButton = ({ name, question, pending, onDelete }: { name: string; question: string; pending: boolean; onDelete: () => void }) => (
  <button
    type="button"
    className="btn btn-small btn-danger"
    aria-label={`Delete ${name}`}
    disabled={pending}
    onClick={() => {
      if (window.confirm(question)) onDelete();
    }}
  >
    Delete
  </button>
);

/** The header of the column that holds a row's buttons: named for screen readers, blank on screen. */
export const ActionsColumnHeader = () => (
  <th scope="col">
    <span className="visually-hidden">Actions</span>
  </th>
);
