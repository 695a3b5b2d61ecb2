import type { OpenAPIObject } from '@nestjs/swagger';

// OFREP is served outside Nest's router (see OfrepHandler); its two routes are described here with
// the protocol's shapes (open-feature/protocol service/openapi.yaml).
const json = (schema: object) => ({ 'application/json': { schema } });
const request = {
  required: false,
  content: json({
    type: 'object',
    properties: {
      context: {
        type: 'object',
        additionalProperties: true,
        description: 'Evaluation context; targetingKey is the unit',
        example: { targetingKey: 'user-42', plan: 'pro' },
      },
    },
  }),
};
const metadata = {
  type: 'object',
  additionalProperties: { oneOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'number' }] },
  description: 'flagVersion; ruleIndex when a rule matched; signalboxReason when the reason was mapped (KILLED, PREREQUISITE_FAILED → DISABLED)',
};
const success = {
  type: 'object',
  required: ['key', 'reason'],
  properties: {
    key: { type: 'string' },
    value: { description: 'Absent when the flag serves no variant: the caller’s (code) default applies' },
    reason: { type: 'string', enum: ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED'] },
    variant: { type: 'string' },
    metadata,
  },
};
const failure = {
  type: 'object',
  required: ['errorCode'],
  properties: {
    key: { type: 'string' },
    errorCode: { type: 'string', enum: ['FLAG_NOT_FOUND', 'PARSE_ERROR', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL'] },
    errorDetails: { type: 'string' },
  },
};
const general = { type: 'object', properties: { errorDetails: { type: 'string' } } };
const refusals = {
  '401': { description: 'No SDK key, or an unknown or revoked one', content: json(general) },
  '403': { description: 'A credential that is not an SDK key', content: json(general) },
  '413': { description: 'Body larger than 1 MB', content: json(failure) },
  '429': { description: 'Rate limited (by a proxy in front: Signalbox does not limit OFREP); Retry-After says when to retry', content: json(general) },
};
const security: Array<Record<string, string[]>> = [{ bearer: [] }, { 'X-API-Key': [] }];

/** Adds OFREP's routes (and its X-API-Key scheme) to the document. */
export const documentOfrepPaths = (document: OpenAPIObject): void => {
  document.components ??= {};
  document.components.securitySchemes = { ...document.components.securitySchemes, 'X-API-Key': { type: 'apiKey', in: 'header', name: 'X-API-Key' } };
  document.paths['/ofrep/v1/evaluate/flags/{key}'] = {
    post: {
      tags: ['ofrep'],
      summary: 'OFREP single-flag evaluation (OpenFeature Remote Evaluation Protocol), with the SDK key of an environment',
      security,
      parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: request,
      responses: {
        '200': { description: 'The flag’s value, reason, variant and metadata', content: json(success) },
        '400': { description: 'PARSE_ERROR, INVALID_CONTEXT or TARGETING_KEY_MISSING', content: json(failure) },
        '404': { description: 'FLAG_NOT_FOUND', content: json(failure) },
        ...refusals,
      },
    },
  };
  document.paths['/ofrep/v1/evaluate/flags'] = {
    post: {
      tags: ['ofrep'],
      summary: 'OFREP bulk evaluation: every flag of the environment. ETag = config sequence + context hash; If-None-Match answers 304',
      security,
      parameters: [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
      requestBody: request,
      responses: {
        '200': {
          description: 'Every flag, each a success or a per-flag failure',
          headers: { ETag: { schema: { type: 'string' } } },
          content: json({ type: 'object', required: ['flags'], properties: { flags: { type: 'array', items: { oneOf: [success, failure] } }, metadata } }),
        },
        '304': { description: 'Neither the flags nor the context changed since the ETag' },
        '400': { description: 'PARSE_ERROR or INVALID_CONTEXT', content: json(failure) },
        ...refusals,
      },
    },
  };
};
