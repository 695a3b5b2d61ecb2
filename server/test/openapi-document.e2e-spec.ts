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
});
