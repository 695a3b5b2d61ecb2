import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The code `npm run openapi` writes the files with, so both sides produce the same bytes.
import { DOCUMENT_FILE, DOCUMENT_PATH, documentText, SCHEMA_FILE, schemaText } from '../../scripts/openapi-document.mjs';
import { startTestApp, type TestApp } from './test-app.js';

const root = path.resolve(import.meta.dirname, '../..');
const stale = (file: string) => `${path.relative(root, file)} is out of date with the server's API: run \`npm run openapi\` and commit the result`;

/**
 * docs/openapi.json is the API as a file, and the console's API types are generated from it: both
 * must change with the server's DTOs and routes, never by hand.
 */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let live: string;
  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.get(DOCUMENT_PATH);
    expect(res.status).toBe(200);
    live = documentText(res.body);
  });
  afterAll(() => t?.close());

  it('is the one in docs/openapi.json', () => {
    expect(fs.existsSync(DOCUMENT_FILE), stale(DOCUMENT_FILE)).toBe(true);
    expect(live, stale(DOCUMENT_FILE)).toBe(fs.readFileSync(DOCUMENT_FILE, 'utf8'));
  });

  it("is what the console's types in web/src/api/schema.ts are generated from", async () => {
    expect(fs.existsSync(SCHEMA_FILE), stale(SCHEMA_FILE)).toBe(true);
    const generated = await schemaText(fs.readFileSync(DOCUMENT_FILE, 'utf8'));
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8'), stale(SCHEMA_FILE)).toBe(generated);
  });

  /**
   * The console's types come from the document, so an answer without a schema is an answer the
   * console types by hand: every operation names its response DTO (@ApiOkResponse({ type }), …)
   * and the errors it can give (@ApiErrors(…), common/openapi/api-errors.decorator.ts).
   */
  describe('describes every answer', () => {
    // Answers without a JSON body, by design: no content, the SSE stream, the Prometheus text.
    const NOT_JSON: Record<string, '204' | 'text/event-stream' | 'text/plain'> = {
      'POST /api/v1/auth/logout': '204',
      'POST /api/v1/auth/two-factor/disable': '204',
      'DELETE /api/v1/users/{id}/two-factor': '204',
      'DELETE /api/v1/tokens/{id}': '204',
      'DELETE /api/v1/projects/{projectKey}/segments/{key}': '204',
      'DELETE /api/v1/projects/{projectKey}/flags/{key}': '204',
      'DELETE /api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/triggers/{id}': '204',
      'DELETE /api/v1/webhooks/{id}': '204',
      'POST /api/v1/sdk/ack': '204',
      'POST /api/v1/sdk/relay/presence': '204',
      'GET /api/v1/sdk/stream': 'text/event-stream',
      'GET /metrics': 'text/plain',
    };
    // Where the usual errors do not apply: the scrape checks its own token and knows no roles; an
    // unknown flag is evaluated (reason ERROR, errorCode FLAG_NOT_FOUND) rather than refused.
    const NOT_ANSWERED: Record<string, number[]> = {
      'GET /metrics': [403],
      'POST /api/v1/sdk/evaluate/{flagKey}': [404],
    };

    type Content = Record<string, { schema?: { $ref?: string } }>;
    type Operation = {
      parameters?: Array<{ in: string }>;
      requestBody?: unknown;
      security?: unknown[];
      responses?: Record<string, { content?: Content }>;
    };
    const operations = (): Array<{ id: string; operation: Operation }> =>
      Object.entries((JSON.parse(live) as { paths: Record<string, Record<string, Operation>> }).paths).flatMap(([template, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ id: `${method.toUpperCase()} ${template}`, operation })),
      );
    const successes = (operation: Operation) => Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));

    it('names every exception it makes after an operation it has', () => {
      const ids = new Set(operations().map((o) => o.id));
      expect([...Object.keys(NOT_JSON), ...Object.keys(NOT_ANSWERED)].filter((id) => !ids.has(id))).toEqual([]);
    });

    it('gives every success answer a schema, or no body where the operation is listed as having none', () => {
      const problems = operations().flatMap(({ id, operation }) => {
        const ok = successes(operation);
        const schemaOf = (type: string) => ok.find(([, r]) => r.content?.[type]?.schema)?.[1].content?.[type]?.schema;
        const expected = NOT_JSON[id];
        if (expected === '204') {
          return ok.length === 1 && ok[0]![0] === '204' && ok[0]![1].content === undefined ? [] : [`${id}: should document only a 204 without content`];
        }
        if (expected) return schemaOf(expected) ? [] : [`${id}: should document a ${expected} answer`];
        if (ok.some(([status]) => status === '204')) return [`${id}: answers 204; list it in NOT_JSON`];
        return schemaOf('application/json') ? [] : [`${id}: no 2xx answer with a JSON schema (declare its response DTO)`];
      });
      expect(problems).toEqual([]);
    });

    it('documents every error answer as an ErrorResponse', () => {
      // OFREP's routes answer errors in the protocol's own shapes (ofrep/ofrep.openapi.ts).
      const problems = operations().flatMap(({ id, operation }) =>
        Object.entries(id.includes(' /ofrep/') ? {} : (operation.responses ?? {}))
          .filter(([status]) => /^[45]/.test(status))
          .filter(([, r]) => JSON.stringify(r.content) !== JSON.stringify({ 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } }))
          .map(([status]) => `${id}: ${status}`),
      );
      expect(problems).toEqual([]);
    });

    it('documents 400 where there is input, 401 and 403 where there are credentials, 404 where the path names something', () => {
      const problems = operations().flatMap(({ id, operation }) => {
        const parameters = (operation.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query');
        const expected = [
          ...(parameters.length > 0 || operation.requestBody ? [400] : []),
          ...(operation.security ? [401, 403] : []),
          ...(parameters.some((p) => p.in === 'path') ? [404] : []),
        ].filter((status) => !NOT_ANSWERED[id]?.includes(status));
        return expected.filter((status) => !operation.responses?.[String(status)]).map((status) => `${id}: ${status}`);
      });
      expect(problems).toEqual([]);
    });
  });
});
