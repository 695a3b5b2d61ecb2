import type { FieldProblem } from '../common/errors/domain-error.js';
import type { CloudEvent } from './cloud-event.js';

/**
 * What a trigger call asks for, read from whatever the caller posted: nothing or `{ reason }` (a
 * script), a Prometheus Alertmanager webhook, a Grafana alert webhook (unified alerting, which
 * is Alertmanager-shaped, or legacy `state`), or a CloudEvent carrying any of these or
 * `{ status, reason }` as its data. Pure; never throws.
 */
export type AlertSource = 'plain' | 'alertmanager' | 'grafana' | 'cloudevents';

export interface TriggerSignal {
  source: AlertSource;
  /** fire: do the trigger's effect; resolve: undo it (if the trigger allows); none: acknowledge only. */
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

export const intentOf = (status: string): TriggerSignal['intent'] => {
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

const MAX_REASON = 1000;

/**
 * A body no reading makes sense of, named by field: anything but a JSON object, or a `reason` or
 * `status` that is not text. (Unknown fields are fine: monitoring tools add their own.)
 */
export const bodyProblems = (body: unknown, path = ''): FieldProblem[] => {
  if (body === undefined || body === null) return [];
  if (!isRecord(body)) return [{ field: path || 'body', reason: 'must be a JSON object' }];
  const problems: FieldProblem[] = [];
  if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > MAX_REASON))
    problems.push({ field: `${path ? `${path}.` : ''}reason`, reason: `must be a string of at most ${MAX_REASON} characters` });
  for (const field of ['status', 'state'] as const)
    if (body[field] !== undefined && typeof body[field] !== 'string') problems.push({ field: `${path ? `${path}.` : ''}${field}`, reason: 'must be a string' });
  if (body.alerts !== undefined && !Array.isArray(body.alerts)) problems.push({ field: `${path ? `${path}.` : ''}alerts`, reason: 'must be an array' });
  return problems;
};

/**
 * A CloudEvent's data read like a direct call (an Alertmanager or Grafana payload keeps its source);
 * otherwise `data.status` (or the event type's last segment, e.g. `com.example.alert.resolved`)
 * says firing or resolved, and `data.reason` or the event's subject says why.
 */
export const readEventSignal = (event: CloudEvent): TriggerSignal => {
  const inner = readTriggerSignal(event.data);
  if (inner.source !== 'plain') return inner;
  const data = isRecord(event.data) ? event.data : {};
  const typeStatus = event.type.split('.').pop()!;
  const status = text(data.status) ?? (intentOf(typeStatus) !== 'none' ? typeStatus : null);
  return {
    source: 'cloudevents',
    intent: status ? intentOf(status) : 'fire',
    alerts: [],
    note: text(data.reason) ?? (event.subject ? text(event.subject) : null) ?? `${event.type} from ${event.source}`.slice(0, MAX_NOTE),
    status,
  };
};

/** The reason recorded on the flag and in the audit log, e.g. `Alertmanager firing: GpuErrors, HighLatency`. */
export const describeSignal = (signal: TriggerSignal, triggerName: string): string => {
  if (signal.source === 'plain') return signal.note ? `${signal.note} (trigger ${triggerName})` : `Trigger ${triggerName} called`;
  if (signal.source === 'cloudevents') return `CloudEvent ${signal.status ?? 'fired'}: ${signal.note} via trigger ${triggerName}`.slice(0, 1000);
  const source = signal.source === 'alertmanager' ? 'Alertmanager' : 'Grafana';
  const alerts = signal.alerts.length > 0 ? `: ${signal.alerts.join(', ')}` : '';
  const note = signal.note && !signal.alerts.includes(signal.note) ? ` (${signal.note})` : '';
  return `${source} ${signal.status}${alerts}${note} via trigger ${triggerName}`.slice(0, 1000);
};
