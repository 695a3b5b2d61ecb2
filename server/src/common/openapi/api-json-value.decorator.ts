import { ApiProperty } from '@nestjs/swagger';

// Without a schema, @nestjs/swagger documents an `unknown` property as `type: object`, which
// generated clients read as an empty object.
const JSON_VALUE = [{ type: 'boolean' }, { type: 'number' }, { type: 'string' }, { type: 'array', items: {} }, { type: 'object', additionalProperties: true }];

/** An OpenAPI property holding any JSON value: a flag variant's value, a recorded input or output. */
export const ApiJsonValue = (options: { description?: string; required?: boolean; nullable?: boolean } = {}) => ApiProperty({ ...options, oneOf: JSON_VALUE });
