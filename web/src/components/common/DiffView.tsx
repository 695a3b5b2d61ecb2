import { diffJson } from './diffJson';

const show = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

/** Before/after of a change, one row per changed leaf. */
export const DiffView = ({ before, after, caption }: { before: unknown; after: unknown; caption?: string }) => {
  const changes = diffJson(before ?? {}, after ?? {});
  if (changes.length === 0) return <p className="muted">No differences.</p>;
  return (
    <table className="diff">
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => (
          <tr key={change.path} className={`diff-${change.kind}`}>
            <th scope="row">
              <code>{change.path}</code>
            </th>
            <td className="diff-before">{change.before !== undefined && <code>{show(change.before)}</code>}</td>
            <td className="diff-after">{change.after !== undefined && <code>{show(change.after)}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
