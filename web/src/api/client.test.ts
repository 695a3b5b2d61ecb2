import { describe, expect, it, vi } from 'vitest';
import { api, ApiError, unwrap } from './client';

/** Stubs fetch with one answer and records the request the client built. */
const answer = (status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
  const requests: Request[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      requests.push(request);
      return new Response(status === 204 ? null : typeof body === 'string' ? body : JSON.stringify(body), { status, headers });
    }),
  );
  return requests;
};

const failure = async (call: Promise<unknown>): Promise<ApiError> => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
};

describe('api client', () => {
  it('sends a typed call to its path with encoded parameters, the JSON body and the session cookie, and answers the data', async () => {
    const flag = { key: 'etl/new transformer', name: 'New' };
    const requests = answer(200, flag);
    const data = await unwrap(
      api.PATCH('/api/v1/projects/{projectKey}/flags/{key}', {
        params: { path: { projectKey: 'demo', key: 'etl/new transformer' } },
        body: { version: 3, name: 'New' },
      }),
    );
    expect(data).toEqual(flag);
    const [request] = requests;
    expect(request!.method).toBe('PATCH');
    expect(new URL(request!.url).pathname).toBe('/api/v1/projects/demo/flags/etl%2Fnew%20transformer');
    expect(request!.credentials).toBe('same-origin');
    expect(request!.headers.get('content-type')).toBe('application/json');
    expect(await request!.json()).toEqual({ version: 3, name: 'New' });
  });

  it('leaves out query filters that are empty, undefined or null', async () => {
    const requests = answer(200, []);
    await unwrap(
      api.GET('/api/v1/projects/{projectKey}/flags', {
        params: { path: { projectKey: 'demo' }, query: { q: '', tag: 'etl', owner: undefined, stale: false } },
      }),
    );
    expect(new URL(requests[0]!.url).search).toBe('?tag=etl&stale=false');
  });

  it('sends no content type without a body, and answers undefined for 204', async () => {
    const requests = answer(204, null);
    await expect(unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id: 't1' } } }))).resolves.toBeUndefined();
    expect(requests[0]!.headers.get('content-type')).toBeNull();
  });

  it("turns an error answer into an ApiError with the API's code, message, field errors and request id", async () => {
    answer(400, {
      error: 'VALIDATION_FAILED',
      message: 'rules[0].clauses[0].values: must not be empty',
      details: [{ field: 'rules[0].clauses[0].values', reason: 'must not be empty' }],
      requestId: 'req-1',
    });
    const error = await failure(unwrap(api.POST('/api/v1/tokens', { body: { name: 'ci', access: 'viewer' } })));
    expect(error.status).toBe(400);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('rules[0].clauses[0].values: must not be empty');
    expect(error.fieldErrors).toEqual([{ field: 'rules[0].clauses[0].values', reason: 'must not be empty' }]);
    expect(error.requestId).toBe('req-1');
  });

  it('keeps the current copy a 409 VERSION_CONFLICT carries, for the conflict view', async () => {
    const current = { key: 'f', version: 5 };
    answer(409, { error: 'VERSION_CONFLICT', message: 'stale', details: { currentVersion: 5, current }, requestId: 'req-2' });
    const error = await failure(
      unwrap(api.PATCH('/api/v1/projects/{projectKey}/flags/{key}', { params: { path: { projectKey: 'demo', key: 'f' } }, body: { version: 4 } })),
    );
    expect(error.status).toBe(409);
    expect(error.code).toBe('VERSION_CONFLICT');
    expect((error.details as { current: unknown }).current).toEqual(current);
    expect(error.fieldErrors).toEqual([]);
  });

  it("keeps the status, and the request id from the header, when a proxy answers with a page instead of the API's error", async () => {
    answer(502, '<html>Bad gateway</html>', { 'content-type': 'text/html', 'x-request-id': 'req-3' });
    const error = await failure(unwrap(api.GET('/api/v1/projects')));
    expect(error.status).toBe(502);
    expect(error.code).toBe('ERROR');
    expect(error.requestId).toBe('req-3');
  });

  it('says the server cannot be reached when the request fails (status 0)', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const error = await failure(unwrap(api.GET('/api/v1/auth/me')));
    expect(error.status).toBe(0);
    expect(error.code).toBe('NETWORK');
  });
});
