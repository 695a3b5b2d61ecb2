import type { ReactNode } from 'react';
import { PowerIcon } from './PowerIcon';
import type { FlagConfigView } from '../../api/flags';

export type Tone = 'neutral' | 'on' | 'off' | 'killed' | 'stale' | 'info' | 'warn';

export const Badge = ({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) => (
  <span className={`badge badge-${tone}`} title={title}>
    {children}
  </span>
);

export type FlagStatus = 'on' | 'off' | 'killed';

export const statusOf = (config: FlagConfigView | undefined): FlagStatus => (!config ? 'off' : config.killed ? 'killed' : config.on ? 'on' : 'off');

export const StatusBadge = ({ config }: { config: FlagConfigView | undefined }) => {
  const status = statusOf(config);
  const title = status === 'killed' && config?.kill ? `Killed by ${config.kill.by}: ${config.kill.reason}` : undefined;
  return (
    <Badge tone={status} title={title}>
      {status === 'killed' && <PowerIcon size={11} />}
      {status}
    </Badge>
  );
};
