import type { OpenAPIObject } from '@nestjs/swagger';

// ErrorResponse and EvaluationResultResponse are in the document's schemas through the Nest routes
// that use them (every route's errors; the explain route).
const json = (schema: object) => ({ 'application/json': { schema } });
const errorResponse = json({ $ref: '#/components/schemas/ErrorResponse' });
const errors = {
  '400': { description: 'Invalid body: `details` names each field and why', content: errorResponse },
  '401': { description: 'Missing, unknown or revoked SDK key', content: errorResponse },
  '403': { description: 'Not an SDK key', content: errorResponse },
};
const readErrors = { '401': errors['401'], '403': errors['403'] };
const context = {
  type: 'object',
  description: 'Attributes of what is evaluated: targetingKey, runId, plan, ...',
  additionalProperties: true,
  example: { targetingKey: 'run-42', pipeline: 'prod-daily' },
};
const result = { $ref: '#/components/schemas/EvaluationResultResponse' };
const sequence = { type: 'integer', description: "The change-log sequence of the environment's config the evaluation ran on" };
// The SDK reads this with its own protocol types (@signalbox/sdk/core EnvironmentConfig); only the outline is documented.
const environmentConfig = {
  type: 'object',
  required: ['sequence', 'flags', 'segments'],
  properties: {
    sequence,
    flags: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Every flag with its config in this environment (FlagConfig)' },
    segments: { type: 'array', items: { type: 'object', additionalProperties: true }, description: "The project's segments (Segment)" },
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
      responses: {
        '200': { description: 'The environment config (sequence, flags, segments)', content: json(environmentConfig) },
        '304': { description: 'Unchanged since the ETag' },
        ...readErrors,
      },
    },
  };
  document.paths['/api/v1/sdk/evaluate'] = {
    post: {
      tags: ['sdk'],
      summary: "Evaluate every flag of the SDK key's environment for a context",
      security,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['context'], properties: { context } } } } },
      responses: {
        '200': {
          description: 'The result of every flag, by flag key',
          content: json({ type: 'object', required: ['sequence', 'flags'], properties: { sequence, flags: { type: 'object', additionalProperties: result } } }),
        },
        ...errors,
      },
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
              properties: {
                context,
                defaultValue: { description: 'Served when the flag cannot be evaluated' },
                type: { type: 'string', enum: ['boolean', 'string', 'number', 'json'] },
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'The evaluation result plus flagKey and sequence',
          content: json({ allOf: [result, { type: 'object', required: ['flagKey', 'sequence'], properties: { flagKey: { type: 'string' }, sequence } }] }),
        },
        ...errors,
      },
    },
  };
};
