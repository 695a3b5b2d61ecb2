import { afterAll, beforeAll, it } from 'vitest';
import { startTestApp, type TestApp } from './test-app.js';
let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(() => t.close());
it('explore', async () => {
  const router = (t.app.getHttpAdapter().getInstance() as any).router;
  for (const l of router.stack) console.log(l.name, l.route ? `${Object.keys(l.route.methods).length > 5 ? 'MANY:' + Object.keys(l.route.methods).length : Object.keys(l.route.methods)} ${l.route.path}` : l.matchers?.length);
});
