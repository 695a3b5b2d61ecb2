/**
 * What a trigger call asks for, read from whatever the caller posted: nothing or `{ reason }` (a
 * script), a Prometheus Alertmanager webhook, or a Grafana alert webhook (unified alerting, which
 * is Alertmanager-shaped, or legacy `state`). Pure; never throws.
 */
export type AlertSource = 'plain' | 'alertmanager' | 'grafana';

export interface TriggerSignal {
  source: AlertSource;
  /** fire: kill the flag; resolve: restore it (if the trigger allows); none: acknowledge only. */
  intent: 'fire' | 'resolve' | 'none';
  /** Alert names, for the audit entry and the kill record. */
  alerts: string[];
  /** The caller's own words (plain calls, Grafana's title/message). */
  note: string | null;
  /** The status as sent, e.g. `firing`, `resolved`, `alerting`, `no_data`. */
  status: string | null;
}

const MAX_NAMES = 20;
const MAX_NOTE = 500;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_NOTE) : null);

const alertNames = (payload: Record<string, unknown>): string[] => {
  const names = new Set<string>();
  if (Array.isArray(payload.alerts)) {
    for (const alert of payload.alerts) {
      const name = isRecord(alert) && isRecord(alert.labels) ? text(alert.labels.alertname) : null;
      if (name) names.add(name);
    }
  }
  for (const labels of [payload.commonLabels, payload.groupLabels]) {
    const name = isRecord(labels) ? text(labels.alertname) : null;
    if (name) names.add(name);
  }
  const rule = text(payload.ruleName);
  if (rule) names.add(rule);
  return [...names].slice(0, MAX_NAMES);
};

const intentOf = (status: string): TriggerSignal['intent'] => {
  switch (status.toLowerCase()) {
    case 'firing':
    case 'alerting':
      return 'fire';
    case 'resolved':
    case 'ok':
    case 'normal':
      return 'resolve';
    default:
      // pending, no_data, paused, unknown: nothing an operator would want a kill for.
      return 'none';
  }
};

export const readTriggerSignal = (body: unknown): TriggerSignal => {
  if (!isRecord(body)) return { source: 'plain', intent: 'fire', alerts: [], note: null, status: null };
  const looksLikeGrafana = 'orgId' in body || 'ruleName' in body || 'evalMatches' in body || ('state' in body && 'title' in body);
  const hasAlerts = Array.isArray(body.alerts);
  // Legacy Grafana sends `state`; unified Grafana and Alertmanager send `status` with `alerts`.
  const status = text(body.status) ?? (looksLikeGrafana ? text(body.state) : null);
  if (status === null || (!hasAlerts && !looksLikeGrafana)) {
    return { source: 'plain', intent: 'fire', alerts: [], note: text(body.reason), status: null };
  }
  return {
    source: looksLikeGrafana ? 'grafana' : 'alertmanager',
    intent: intentOf(status),
    alerts: alertNames(body),
    note: looksLikeGrafana ? (text(body.title) ?? text(body.message)) : null,
    status,
  };
};

/** The reason recorded on the flag and in the audit log, e.g. `Alertmanager firing: GpuErrors, HighLatency`. */
export const describeSignal = (signal: TriggerSignal, triggerName: string): string => {
  if (signal.source === 'plain') return signal.note ? `${signal.note} (trigger ${triggerName})` : `Trigger ${triggerName} called`;
  const source = signal.source === 'alertmanager' ? 'Alertmanager' : 'Grafana';
  const alerts = signal.alerts.length > 0 ? `: ${signal.alerts.join(', ')}` : '';
  const note = signal.note && !signal.alerts.includes(signal.note) ? ` (${signal.note})` : '';
  return `${source} ${signal.status}${alerts}${note} via trigger ${triggerName}`.slice(0, 1000);
};
