import fs from 'node:fs';
import path from 'node:path';

/** A JSON schema as @nestjs/swagger writes it (the subset the document uses). */
export interface Schema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
  example?: unknown;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

/** One documented operation: what the fuzzer calls, with everything it needs to build requests. */
export interface Operation {
  /** `POST /api/v1/projects/{projectKey}/flags`: stable, used in reports and seeds. */
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The path template with `{name}` placeholders. */
  template: string;
  pathParams: string[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  /** The JSON request body schema, `$ref`s resolved; undefined when the operation takes none. */
  body?: Schema;
  /** Status codes the document lists for it. */
  documentedStatuses: string[];
  /** Not in the OpenAPI document, fuzzed anyway because it is reachable. */
  undocumented?: boolean;
}

export const OPENAPI_PATH = path.resolve(import.meta.dirname, '../../../docs/openapi.json');

interface Document {
  paths: Record<
    string,
    Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> }; responses?: Record<string, unknown> }>
  >;
  components: { schemas: Record<string, Schema> };
}

/** Inlines every `$ref` (the document has no recursive schemas; a cycle would throw). */
const resolver = (doc: Document) => {
  const resolve = (schema: Schema | undefined, seen: string[] = []): Schema | undefined => {
    if (!schema || typeof schema !== 'object') return schema;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (seen.includes(name)) throw new Error(`recursive schema ${[...seen, name].join(' → ')}`);
      const target = doc.components.schemas[name];
      if (!target) throw new Error(`unknown schema ${schema.$ref}`);
      return resolve(target, [...seen, name]);
    }
    const out: Schema = { ...schema };
    if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, seen)!]));
    if (schema.items) out.items = resolve(schema.items, seen);
    if (schema.allOf) out.allOf = schema.allOf.map((s) => resolve(s, seen)!);
    if (schema.oneOf) out.oneOf = schema.oneOf.map((s) => resolve(s, seen)!);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out.additionalProperties = resolve(schema.additionalProperties, seen);
    return out;
  };
  return resolve;
};

/** Every operation of docs/openapi.json, in document order, plus the reachable undocumented ones. */
export const loadOperations = (file = OPENAPI_PATH): Operation[] => {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Document;
  const resolve = resolver(doc);
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      operations.push({
        id: `${method.toUpperCase()} ${template}`,
        method: method as Operation['method'],
        template,
        pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ ...p, schema: resolve(p.schema) })),
        headerParams: parameters.filter((p) => p.in === 'header'),
        body: resolve(operation.requestBody?.content?.['application/json']?.schema),
        documentedStatuses: Object.keys(operation.responses ?? {}),
      });
    }
  }
  // The Prometheus scrape is public and takes its own bearer token: hostile input reaches it too,
  // documented or not.
  if (!operations.some((op) => op.id === 'GET /metrics')) {
    operations.push({
      id: 'GET /metrics',
      method: 'get',
      template: '/metrics',
      pathParams: [],
      queryParams: [],
      headerParams: [],
      documentedStatuses: ['200'],
      undocumented: true,
    });
  }
  return operations;
};
