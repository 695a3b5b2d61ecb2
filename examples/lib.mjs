// Shared bits of the examples: settings from the environment and a tiny admin API client.
export const settings = () => {
  const url = process.env.SIGNALBOX_URL ?? 'http://localhost:4000';
  const sdkKey = process.env.SIGNALBOX_SDK_KEY;
  const token = process.env.SIGNALBOX_TOKEN;
  const project = process.env.SIGNALBOX_PROJECT ?? 'demo';
  const environment = process.env.SIGNALBOX_ENV ?? 'development';
  if (!sdkKey || !token) {
    console.error('Set SIGNALBOX_SDK_KEY (the development SDK key printed at first start) and SIGNALBOX_TOKEN (an editor or admin token,');
    console.error('e.g. SIGNALBOX_ADMIN_TOKEN, or the token from POST /api/v1/auth/login). SIGNALBOX_URL defaults to http://localhost:4000.');
    process.exit(2);
  }
  return { url, sdkKey, token, project, environment };
};

export const api =
  ({ url, token }) =>
  async (method, path, body) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.message ?? text}`);
    return json;
  };

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server's per-variant statistics of one metric of one flag, over the last `minutes`. */
export const serverStats = async (call, { project, environment }, flag, metric, minutes = 10) => {
  const from = new Date(Date.now() - minutes * 60_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const query = new URLSearchParams({ flag, metric, from, to, stepMinutes: String(minutes + 1) });
  const result = await call('GET', `/projects/${project}/environments/${environment}/telemetry/series?${query}`);
  return result.series.map((s) => ({ variant: s.variant, ...s.total }));
};

export const table = (rows, columns) => {
  const widths = columns.map(([title, get]) => Math.max(title.length, ...rows.map((r) => String(get(r)).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(line(columns.map(([title]) => title)));
  for (const row of rows) console.log(line(columns.map(([, get]) => get(row))));
};

export const fixed = (digits) => (value) => (value === null || value === undefined ? '—' : Number(value).toFixed(digits));
