import type { ReactNode } from 'react';

/** The top of a page: its one h1, a muted line under it, and the page's own actions on the right. */
export const PageHeader = ({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) => (
  <header className="page-header">
    <div>
      <h1>{title}</h1>
      {description && <p className="muted">{description}</p>}
    </div>
    {actions}
  </header>
);
