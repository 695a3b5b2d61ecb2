import type { FieldProblem } from '../common/errors/domain-error.js';

/**
 * A CloudEvents 1.0 envelope (https://github.com/cloudevents/spec, HTTP protocol binding) read
 * from a trigger call, in either mode the binding defines:
 * - structured: `Content-Type: application/cloudevents+json`, the whole event is the JSON body;
 * - binary: the attributes are `ce-*` headers and the body is the event's `data`.
 * Pure: it reads what the caller sent and names every missing or malformed attribute.
 */
export interface CloudEvent {
  mode: 'structured' | 'binary';
  id: string;
  source: string;
  type: string;
  subject: string | null;
  data: unknown;
}

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
const SPEC_VERSION = '1.0';
const MAX_ATTRIBUTE = 256;

export type HeaderBag = Record<string, string | string[] | undefined>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const header = (headers: HeaderBag, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The media type alone, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export const mediaTypeOf = (contentType: string | undefined): string | null => contentType?.split(';')[0]?.trim().toLowerCase() || null;

const attribute = (value: unknown, field: string, problems: FieldProblem[], required: boolean): string | null => {
  if (value === undefined || value === null) {
    if (required) problems.push({ field, reason: 'is required in a CloudEvent' });
    return null;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, reason: 'must be a non-empty string' });
    return null;
  }
  if (value.length > MAX_ATTRIBUTE) {
    problems.push({ field, reason: `must be at most ${MAX_ATTRIBUTE} characters` });
    return null;
  }
  return value;
};

export type CloudEventReading = { event: CloudEvent } | { event: null } | { problems: FieldProblem[] };

/** Reads a CloudEvent from a call, `{ event: null }` when the call is not one (a plain or alert body). */
export const readCloudEvent = (contentType: string | undefined, headers: HeaderBag, body: unknown): CloudEventReading => {
  const problems: FieldProblem[] = [];
  if (mediaTypeOf(contentType) === STRUCTURED_CONTENT_TYPE) {
    if (!isRecord(body)) return { problems: [{ field: 'body', reason: 'a structured CloudEvent must be a JSON object' }] };
    if (body.specversion !== SPEC_VERSION) problems.push({ field: 'specversion', reason: `must be '${SPEC_VERSION}'` });
    const id = attribute(body.id, 'id', problems, true);
    const source = attribute(body.source, 'source', problems, true);
    const type = attribute(body.type, 'type', problems, true);
    const subject = attribute(body.subject, 'subject', problems, false);
    if ('data_base64' in body) problems.push({ field: 'data_base64', reason: 'is not accepted; send data as JSON in `data`' });
    const dataType = body.datacontenttype;
    if (dataType !== undefined && (typeof dataType !== 'string' || !/^application\/([\w.+-]+\+)?json\b/i.test(dataType)))
      problems.push({ field: 'datacontenttype', reason: 'must be application/json (or absent)' });
    if (problems.length > 0) return { problems };
    return { event: { mode: 'structured', id: id!, source: source!, type: type!, subject, data: body.data ?? null } };
  }
  if (header(headers, 'ce-specversion') === undefined) return { event: null };
  if (header(headers, 'ce-specversion') !== SPEC_VERSION) problems.push({ field: 'ce-specversion', reason: `must be '${SPEC_VERSION}'` });
  const id = attribute(header(headers, 'ce-id'), 'ce-id', problems, true);
  const source = attribute(header(headers, 'ce-source'), 'ce-source', problems, true);
  const type = attribute(header(headers, 'ce-type'), 'ce-type', problems, true);
  const subject = attribute(header(headers, 'ce-subject'), 'ce-subject', problems, false);
  if (problems.length > 0) return { problems };
  return { event: { mode: 'binary', id: id!, source: source!, type: type!, subject, data: body ?? null } };
};
