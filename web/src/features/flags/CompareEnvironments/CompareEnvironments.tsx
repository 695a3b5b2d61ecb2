import { approvalsMissing } from '../../changeRequests/changeRequestText';
import { useState } from 'react';
import type { FlagView } from '../../../api/flags';
import type { EnvironmentView } from '../../../api/projects';
import { Badge } from '../../../components/common/Badge';
import { CopyConfigDialog } from './CopyConfigDialog';
import { compareEnvironments, differingAspects } from './environmentComparison';
import './CompareEnvironments.css';

/** The neighbour a copy most often goes to: the next environment in the project's order (staging → production). */
const nextAfter = (environments: EnvironmentView[], key: string): string => {
  const i = environments.findIndex((e) => e.key === key);
  return (environments[i + 1] ?? environments[i - 1] ?? environments[i])?.key ?? key;
};

/** A flag's config in every environment side by side, what differs highlighted, and "Copy to…" for editors. */
export const CompareEnvironments = ({
  project,
  flag,
  environments,
  canCopy,
}: {
  project: string;
  flag: FlagView;
  environments: EnvironmentView[];
  canCopy: boolean;
}) => {
  const [copying, setCopying] = useState<{ source: string; target: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const rows = compareEnvironments(flag, environments);
  const differing = differingAspects(rows);
  const nameOf = (key: string) => environments.find((e) => e.key === key)?.name ?? key;

  return (
    <section className="compare-environments" aria-label="Compare environments">
      <p className={differing.length > 0 ? 'warn' : 'muted'}>
        {environments.length < 2
          ? 'This project has one environment.'
          : differing.length === 0
            ? 'Every environment serves the same config.'
            : `The environments differ in: ${differing.join(', ').toLowerCase()}.`}
      </p>
      {copied && (
        <p className="notice" role="status">
          {copied}
        </p>
      )}
      <div className="table-wrap card">
        <table className="table compare-table">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Aspect</span>
              </th>
              {environments.map((env) => (
                <th key={env.key} scope="col">
                  <span>{env.name}</span>
                  {canCopy && environments.length > 1 && (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => {
                        setCopied(null);
                        setCopying({ source: env.key, target: nextAfter(environments, env.key) });
                      }}
                    >
                      Copy to… <span className="visually-hidden">from {env.name}</span>
                    </button>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label} className={row.differs ? 'differs' : undefined}>
                <th scope="row">
                  {row.label} {row.differs && <Badge tone="warn">differs</Badge>}
                </th>
                {environments.map((env) => (
                  <td key={env.key}>{row.cells[env.key] ?? <span className="muted">no config</span>}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {copying && (
        <CopyConfigDialog
          project={project}
          flag={flag}
          environments={environments}
          initialSource={copying.source}
          initialTarget={copying.target}
          onClose={() => setCopying(null)}
          onCopied={({ source, target, saved }) => {
            setCopying(null);
            setCopied(
              'changeRequest' in saved
                ? `Change request #${saved.changeRequest.number} created to copy ${nameOf(source)}'s config to ${nameOf(target)} — needs ${approvalsMissing(saved.changeRequest)} approval${approvalsMissing(saved.changeRequest) === 1 ? '' : 's'}.`
                : `Copied ${nameOf(source)}'s config to ${nameOf(target)} (now version ${saved.version}).`,
            );
          }}
        />
      )}
    </section>
  );
};
