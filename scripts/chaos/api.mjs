// HTTP calls to the servers. Never throws: a refused connection, a reset or a timeout comes back
// as { status: 0, error }, so callers decide what an outage means for them.
export const request = async (baseUrl, method, path, { token, body, timeoutMs = 10_000, headers = {} } = {}) => {
  const started = Date.now();
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, body: json, text, headers: response.headers, ms: Date.now() - started };
  } catch (err) {
    const cause = err?.cause?.code ?? err?.cause?.message ?? err?.name ?? 'error';
    return {
      status: 0,
      error: err?.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${err?.message ?? err} (${cause})`,
      ms: Date.now() - started,
    };
  }
};

/** A client of the management API with the admin token. */
export const managementApi = (token) => ({
  get: (baseUrl, path, options) => request(baseUrl, 'GET', `/api/v1${path}`, { token, ...options }),
  post: (baseUrl, path, body, options) => request(baseUrl, 'POST', `/api/v1${path}`, { token, body, ...options }),
  patch: (baseUrl, path, body, options) => request(baseUrl, 'PATCH', `/api/v1${path}`, { token, body, ...options }),
});

/** Throws with the answer when a setup call did not succeed. */
export const expectOk = (what, answer) => {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  throw new Error(`${what} answered ${answer.status || answer.error}: ${answer.text?.slice(0, 500) ?? ''}`);
};
