import type { FlagView } from '../../../api/flags';
import { variantColor } from '../../../components/common/rolloutSegments';

export const VariantsTable = ({ flag }: { flag: FlagView }) => (
  <div className="card section">
    <table className="table">
      <caption className="visually-hidden">Variants of {flag.key}</caption>
      <thead>
        <tr>
          <th scope="col">Variant</th>
          <th scope="col">Value ({flag.kind})</th>
          <th scope="col">Name</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {flag.variants.map((v) => (
          <tr key={v.key}>
            <td>
              <span className="swatch" style={{ background: variantColor(flag.variants, v.key) }} aria-hidden="true" /> <strong>{v.key}</strong>
            </td>
            <td>
              <code>{JSON.stringify(v.value)}</code>
            </td>
            <td>{v.name ?? '—'}</td>
            <td>{v.description ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);
