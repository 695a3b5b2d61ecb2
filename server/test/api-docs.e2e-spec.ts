import { SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from './test-app.js';

// The document is built on the first request for it rather than at start (a start-up cost most
// instances never need); openapi-document.e2e-spec.ts checks that what is served is the API.
describe('the API docs', () => {
  const createDocument = vi.spyOn(SwaggerModule, 'createDocument');
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    createDocument.mockRestore();
    await t?.close();
  });

  it('are not built while the server starts', () => {
    expect(createDocument).not.toHaveBeenCalled();
  });

  it('are built once, on the first request, and served the same every time after', async () => {
    const first = await t.http.get('/api/docs-json').expect(200);
    expect(createDocument).toHaveBeenCalledTimes(1);
    const page = await t.http.get('/api/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    const again = await t.http.get('/api/docs-json').expect(200);
    expect(again.text).toBe(first.text);
    expect(createDocument).toHaveBeenCalledTimes(1);
    // The SDK read paths, added to the scanned document by hand, are in it.
    expect(Object.keys((first.body as { paths: object }).paths)).toEqual(expect.arrayContaining(['/api/v1/sdk/config', '/api/v1/sdk/evaluate']));
  });
});
