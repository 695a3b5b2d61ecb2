import { useState } from 'react';

/**
 * A secret the server shows only once: visible, selectable, with a copy button. `stored` says how
 * the server keeps it: a hash (tokens, keys, passwords) or encrypted (webhook signing secrets,
 * which it needs again to sign).
 */
export const CopySecret = ({
  label,
  secret,
  onDismiss,
  stored = 'hashed',
}: {
  label: string;
  secret: string;
  onDismiss?: () => void;
  stored?: 'hashed' | 'encrypted';
}) => {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // Clipboard access needs a secure context; the value stays selectable.
      setCopied(false);
    }
  };
  return (
    <div className="secret" role="status">
      <p>
        <strong>{label}</strong> — copy it now: it is shown only once and stored only {stored === 'hashed' ? 'as a hash' : 'encrypted'}.
      </p>
      <div className="secret-row">
        <code className="secret-value" aria-label={label} data-secret>
          {secret}
        </code>
        <button type="button" className="btn btn-small" onClick={() => void copy()}>
          {copied ? 'Copied ✓' : 'Copy'}
        </button>
        {onDismiss && (
          <button type="button" className="btn btn-small btn-ghost" onClick={onDismiss}>
            Done
          </button>
        )}
      </div>
    </div>
  );
};
