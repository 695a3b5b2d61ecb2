import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aToken, aUser } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

// /metrics is public to the route guard (Prometheus has no user), so SIGNALBOX_METRICS_TOKEN is
// the only thing between the scrape and anyone who can reach the port.
describe('SIGNALBOX_METRICS_TOKEN', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { SIGNALBOX_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(() => t.close());

  it('serves /metrics to the metrics token only', async () => {
    const scrape = await t.http.get('/metrics').set(bearer(METRICS_TOKEN));
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
    expect(scrape.text).toMatch(/^# HELP /m);

    // Every other credential, even the admin's, is refused in the API's error format, with no metrics in it.
    const session = await aUser(t.http, t.admin, 'admin');
    const token = await aToken(t.http, t.admin, 'admin');
    const refused = [
      await t.http.get('/metrics'),
      await t.http.get('/metrics').set(bearer('metrics-token-0123456789abcdeX')),
      await t.http.get('/metrics').set(bearer(METRICS_TOKEN.slice(0, -1))),
      await t.http.get('/metrics').set('Authorization', METRICS_TOKEN),
      await t.http.get('/metrics').set(t.admin),
      await t.http.get('/metrics').set(bearer(session.token)),
      await t.http.get('/metrics').set(bearer(token.secret)),
    ];
    for (const res of refused) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'UNAUTHENTICATED', requestId: expect.any(String) });
      expect(res.text).not.toMatch(/# HELP/);
    }
  });
});

describe('/metrics without SIGNALBOX_METRICS_TOKEN', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is open, as documented for the default', async () => {
    const scrape = await t.http.get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.text).toMatch(/^# HELP /m);
  });
});
