import { describe, expect, it } from 'vitest';
import { readEventSignal } from './alert-payload.js';
import { readCloudEvent } from './cloud-event.js';

const STRUCTURED = 'application/cloudevents+json; charset=utf-8';
const event = (extra: Record<string, unknown> = {}) => ({ specversion: '1.0', id: 'a-1', source: '/prometheus', type: 'com.example.alert', ...extra });

describe('readCloudEvent', () => {
  it('reads a structured event and its data', () => {
    expect(readCloudEvent(STRUCTURED, {}, event({ subject: 'checkout', data: { status: 'firing' } }))).toEqual({
      event: { mode: 'structured', id: 'a-1', source: '/prometheus', type: 'com.example.alert', subject: 'checkout', data: { status: 'firing' } },
    });
  });

  it('reads a binary-mode event from ce-* headers, the body being its data', () => {
    const headers = { 'ce-specversion': '1.0', 'ce-id': 'b-2', 'ce-source': 'urn:ci', 'ce-type': 'ci.deploy' };
    expect(readCloudEvent('application/json', headers, { reason: 'x' })).toEqual({
      event: { mode: 'binary', id: 'b-2', source: 'urn:ci', type: 'ci.deploy', subject: null, data: { reason: 'x' } },
    });
  });

  it('is not an event without the structured media type or ce-specversion', () => {
    expect(readCloudEvent('application/json', { 'ce-id': 'x' }, event())).toEqual({ event: null });
  });

  it.each([
    [event({ id: undefined }), 'id'],
    [event({ id: '' }), 'id'],
    [event({ source: 7 }), 'source'],
    [event({ type: 'x'.repeat(300) }), 'type'],
    [event({ specversion: '0.3' }), 'specversion'],
    [event({ data_base64: 'AA==' }), 'data_base64'],
    [event({ datacontenttype: 'text/xml' }), 'datacontenttype'],
    [[event()], 'body'],
  ])('names the field a structured event gets wrong: %#', (body, field) => {
    const reading = readCloudEvent(STRUCTURED, {}, body);
    expect('problems' in reading && reading.problems.map((p) => p.field)).toEqual([field]);
  });

  it('names every missing binary-mode header', () => {
    const reading = readCloudEvent('application/json', { 'ce-specversion': '1.0' }, {});
    expect('problems' in reading && reading.problems.map((p) => p.field)).toEqual(['ce-id', 'ce-source', 'ce-type']);
  });
});

describe('readEventSignal', () => {
  const of = (type: string, data: unknown, subject: string | null = null) =>
    readEventSignal({ mode: 'structured', id: '1', source: '/s', type, subject, data });

  it('fires on an event with no status, resolves on status resolved or a .resolved type', () => {
    expect(of('com.example.alert', null)).toMatchObject({ source: 'cloudevents', intent: 'fire', note: 'com.example.alert from /s' });
    expect(of('com.example.alert', { status: 'resolved', reason: 'back to normal' })).toMatchObject({ intent: 'resolve', note: 'back to normal' });
    expect(of('com.example.alert.resolved', {}, 'checkout latency')).toMatchObject({ intent: 'resolve', status: 'resolved', note: 'checkout latency' });
    expect(of('com.example.alert', { status: 'pending' })).toMatchObject({ intent: 'none' });
  });

  it('reads an Alertmanager payload carried as data like a direct one', () => {
    expect(of('com.example.alert', { status: 'firing', alerts: [{ labels: { alertname: 'GpuOOM' } }] })).toMatchObject({
      source: 'alertmanager',
      intent: 'fire',
      alerts: ['GpuOOM'],
    });
  });
});
