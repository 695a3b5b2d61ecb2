import { useState } from 'react';
import { type ApiToken, useRevokeToken, useTokens } from '../../../api/access';
import { Badge } from '../../../components/common/Badge';
import { formatTime } from '../../../components/common/format';
import { ActionsColumnHeader } from '../../../components/common/RowButtons';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { ConfirmDialog } from '../ConfirmDialog/ConfirmDialog';
import { isExpired } from '../TokenForm/tokenExpiry';
import { describeScope } from '../TokenForm/tokenScope';

const Scope = ({ token }: { token: ApiToken }) => {
  const scope = describeScope(token);
  if (!scope) return <span className="muted">everywhere its role allows</span>;
  return (
    <>
      <span className="token-scope">Projects: {scope.projects}</span>
      <span className="token-scope">Environments: {scope.environments}</span>
    </>
  );
};

/** When the token stops working; an expired one is marked, as the server refuses it. */
const Expiry = ({ token }: { token: ApiToken }) => {
  if (token.expiresAt === null) return <span className="muted">never</span>;
  if (!isExpired(token)) return <>{formatTime(token.expiresAt)}</>;
  return (
    <>
      <Badge tone="killed" title="The server refuses this token; revoke it or issue a new one">
        expired
      </Badge>{' '}
      {formatTime(token.expiresAt)}
    </>
  );
};

/** The API tokens, never their secrets; revoking one asks first. */
export const TokenList = () => {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  return (
    <>
      <QueryView query={tokens} empty={<EmptyState title="No API tokens yet." />}>
        {(list) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Access</th>
                <th scope="col">Scope</th>
                <th scope="col" className="col-tags">
                  Created
                </th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <ActionsColumnHeader />
              </tr>
            </thead>
            <tbody>
              {list.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>
                    <code>{token.prefix}…</code>
                  </td>
                  <td>
                    <Badge tone={token.access === 'kill-switch' ? 'killed' : 'info'}>{token.access}</Badge>
                  </td>
                  <td className="small">
                    <Scope token={token} />
                  </td>
                  <td className="col-tags small">
                    {formatTime(token.createdAt)} by {token.createdBy}
                  </td>
                  <td className="small">
                    <Expiry token={token} />
                  </td>
                  <td className="small" title="Kept to the minute">
                    {token.lastUsedAt === null ? <span className="muted">never</span> : formatTime(token.lastUsedAt)}
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small btn-ghost danger" aria-label={`Revoke ${token.name}`} onClick={() => setRevoking(token)}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke token"
          tone="danger"
          onConfirm={() => revoke.mutateAsync(revoking.id)}
          onClose={() => setRevoking(null)}
        >
          <p>
            <strong>{revoking.name}</strong> (<code>{revoking.prefix}…</code>, {revoking.access}) stops working at once. Whatever uses it must be given a new
            token.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
};
