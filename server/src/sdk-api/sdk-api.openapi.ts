import type { OpenAPIObject } from '@nestjs/swagger';

const errors = {
  '400': { description: 'Invalid body: `details` names each field and why' },
  '401': { description: 'Missing, unknown or revoked SDK key' },
  '403': { description: 'Not an SDK key' },
};
const context = {
  type: 'object',
  description: 'Attributes of what is evaluated: targetingKey, runId, plan, ...',
  additionalProperties: true,
  example: { targetingKey: 'run-42', pipeline: 'prod-daily' },
};
const result = {
  type: 'object',
  properties: {
    value: {},
    variant: { type: 'string' },
    reason: { type: 'string', enum: ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'ERROR', 'KILLED', 'PREREQUISITE_FAILED'] },
    ruleIndex: { type: 'integer' },
    errorCode: { type: 'string', enum: ['FLAG_NOT_FOUND', 'TYPE_MISMATCH', 'TARGETING_KEY_MISSING', 'PARSE_ERROR', 'GENERAL'] },
  },
};

/** The SDK read path is served outside Nest's router (see SdkReadHandler); its routes are described here. */
export const documentSdkReadPaths = (document: OpenAPIObject): void => {
  const security = [{ bearer: [] }];
  document.paths['/api/v1/sdk/config'] = {
    get: {
      tags: ['sdk'],
      summary: "Everything the SDK key's environment serves. ETag is the change-log sequence; If-None-Match answers 304",
      security,
      parameters: [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
      responses: { '200': { description: 'The environment config (sequence, flags, segments)' }, '304': { description: 'Unchanged since the ETag' }, ...errors },
    },
  };
  document.paths['/api/v1/sdk/evaluate'] = {
    post: {
      tags: ['sdk'],
      summary: "Evaluate every flag of the SDK key's environment for a context",
      security,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['context'], properties: { context } } } } },
      responses: { '200': { description: '{ sequence, flags: { [key]: result } }' }, ...errors },
    },
  };
  document.paths['/api/v1/sdk/evaluate/{flagKey}'] = {
    post: {
      tags: ['sdk'],
      summary: 'Evaluate one flag for a context; an unknown flag answers the default with ERROR / FLAG_NOT_FOUND',
      security,
      parameters: [{ name: 'flagKey', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['context'],
              properties: { context, defaultValue: { description: 'Served when the flag cannot be evaluated' }, type: { type: 'string', enum: ['boolean', 'string', 'number', 'json'] } },
            },
          },
        },
      },
      responses: { '200': { description: 'The evaluation result plus flagKey and sequence', content: { 'application/json': { schema: result } } }, ...errors },
    },
  };
};
