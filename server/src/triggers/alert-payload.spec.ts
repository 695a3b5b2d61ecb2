import { describe, expect, it } from 'vitest';
import { describeSignal, readTriggerSignal } from './alert-payload.js';

const alertmanager = (status: 'firing' | 'resolved') => ({
  version: '4',
  groupKey: '{}:{alertname="GpuErrors"}',
  status,
  receiver: 'signalbox',
  groupLabels: { alertname: 'GpuErrors' },
  commonLabels: { alertname: 'GpuErrors', severity: 'page' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts: [
    { status, labels: { alertname: 'GpuErrors', instance: 'gpu-1' }, annotations: {}, startsAt: '2026-11-20T10:00:00Z', endsAt: '0001-01-01T00:00:00Z' },
    { status, labels: { alertname: 'HighLatency', instance: 'gpu-2' }, annotations: {}, startsAt: '2026-11-20T10:00:00Z', endsAt: '0001-01-01T00:00:00Z' },
  ],
});

describe('reading a trigger call', () => {
  it.each([undefined, null, 'text', 42, [], {}])('treats %j as a plain call that fires', (body) => {
    expect(readTriggerSignal(body)).toMatchObject({ source: 'plain', intent: 'fire', alerts: [] });
  });

  it('keeps the reason of a plain call', () => {
    const signal = readTriggerSignal({ reason: 'nightly job saw NaNs' });
    expect(signal).toMatchObject({ source: 'plain', intent: 'fire', note: 'nightly job saw NaNs' });
    expect(describeSignal(signal, 'nan-guard')).toBe('nightly job saw NaNs (trigger nan-guard)');
  });

  it('reads an Alertmanager firing notification with every alert name', () => {
    const signal = readTriggerSignal(alertmanager('firing'));
    expect(signal).toEqual({ source: 'alertmanager', intent: 'fire', alerts: ['GpuErrors', 'HighLatency'], note: null, status: 'firing' });
    expect(describeSignal(signal, 'gpu')).toBe('Alertmanager firing: GpuErrors, HighLatency via trigger gpu');
  });

  it('reads an Alertmanager resolution as resolve', () => {
    expect(readTriggerSignal(alertmanager('resolved'))).toMatchObject({ source: 'alertmanager', intent: 'resolve' });
  });

  it('reads unified Grafana alerting (Alertmanager-shaped, with orgId and title)', () => {
    const body = { ...alertmanager('firing'), orgId: 1, state: 'alerting', title: '[FIRING:1] GpuErrors' };
    expect(readTriggerSignal(body)).toMatchObject({ source: 'grafana', intent: 'fire', note: '[FIRING:1] GpuErrors' });
  });

  it.each([
    ['alerting', 'fire'],
    ['ok', 'resolve'],
    ['no_data', 'none'],
    ['paused', 'none'],
    ['pending', 'none'],
  ])('reads legacy Grafana state %s as %s', (state, intent) => {
    const signal = readTriggerSignal({ title: `[${state}] Model error rate`, ruleName: 'Model error rate', state, evalMatches: [] });
    expect(signal).toMatchObject({ source: 'grafana', intent, alerts: ['Model error rate'] });
  });
});
