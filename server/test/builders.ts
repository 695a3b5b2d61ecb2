import type TestAgent from 'supertest/lib/agent.js';

/** Test data builders over the real API: each returns what the API returned. */
export const aProject = async (
  http: TestAgent,
  auth: { Authorization: string },
  key = 'pipelines',
  environments?: Array<{ key: string; name: string; requireChangeReason?: boolean }>,
) => {
  const res = await http
    .post('/api/v1/projects')
    .set(auth)
    .send({ key, name: `Project ${key}`, ...(environments ? { environments } : {}) });
  if (res.status !== 201) throw new Error(`project: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { project: { key: string; environments: Array<{ key: string }> }; sdkKeys: Record<string, string> };
};

export const aBooleanFlag = async (http: TestAgent, auth: { Authorization: string }, project: string, key: string, extra: Record<string, unknown> = {}) => {
  const res = await http
    .post(`/api/v1/projects/${project}/flags`)
    .set(auth)
    .send({ key, name: key, kind: 'boolean', ...extra });
  if (res.status !== 201) throw new Error(`flag: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { key: string; version: number; environments: Record<string, { version: number }> };
};

export const aStringFlag = async (http: TestAgent, auth: { Authorization: string }, project: string, key: string, variants = ['v1', 'v2', 'v3']) => {
  const res = await http
    .post(`/api/v1/projects/${project}/flags`)
    .set(auth)
    .send({ key, name: key, kind: 'string', variants: variants.map((v) => ({ key: v, value: `model-${v}` })) });
  if (res.status !== 201) throw new Error(`flag: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { key: string; version: number };
};

export const aUser = async (http: TestAgent, auth: { Authorization: string }, role: 'viewer' | 'editor' | 'admin') => {
  const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
  const created = await http.post('/api/v1/users').set(auth).send({ email, name: role, role, password: 'password-123' });
  if (created.status !== 201) throw new Error(`user: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await http.post('/api/v1/auth/login').send({ email, password: 'password-123' });
  return { email, token: login.body.token as string, id: created.body.user.id as string };
};

export const aToken = async (
  http: TestAgent,
  auth: { Authorization: string },
  access: string,
  scope: { projects?: string[]; environments?: string[] } = {},
) => {
  const res = await http
    .post('/api/v1/tokens')
    .set(auth)
    .send({ name: `${access}-token`, access, ...scope });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { token: { id: string }; secret: string };
};
