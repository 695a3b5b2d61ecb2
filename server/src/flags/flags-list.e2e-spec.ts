import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aBooleanFlag, aProject } from '../../test/builders.js';
import { bearer, startTestApp, type TestApp } from '../../test/test-app.js';

interface Listed {
  key: string;
  name: string;
}
interface Page {
  items: Listed[];
  total: number;
  nextCursor: string | null;
}

// Keys in creation order; names run the other way so sorting by name is visibly not sorting by key.
const KEYS = ['list.alpha', 'list.bravo', 'list.charlie', 'list.delta', 'list.echo', 'list.foxtrot', 'list.golf'];
const nameOf = (key: string) => `Flag ${String.fromCharCode(90 - KEYS.indexOf(key))}`;

describe('flags list: pages, sort and search', () => {
  let t: TestApp;
  let sdkKey: string;
  const base = '/api/v1/projects/catalogue/flags';
  const search = '/api/v1/projects/catalogue/search/flags';

  const page = async (query: Record<string, string | number>): Promise<Page> => {
    const res = await t.http.get(search).query(query).set(t.admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Page;
  };

  /** Every key, following nextCursor page by page. */
  const walk = async (query: Record<string, string | number>): Promise<string[]> => {
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const next: Page = await page({ ...query, ...(cursor ? { cursor } : {}) });
      keys.push(...next.items.map((f) => f.key));
      cursor = next.nextCursor;
    } while (cursor);
    return keys;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const project = await aProject(t.http, t.admin, 'catalogue', [
      { key: 'development', name: 'Development' },
      { key: 'production', name: 'Production' },
    ]);
    sdkKey = project.sdkKeys.development!;
    for (const key of KEYS) {
      await aBooleanFlag(t.http, t.admin, 'catalogue', key, {
        name: nameOf(key),
        tags: key === 'list.delta' ? ['Payments-Team'.toLowerCase()] : [],
        description: key === 'list.echo' ? 'Routes the NIGHTLY batch' : '',
      });
    }
  });
  afterAll(() => t.close());

  it('keeps the list an array of every flag, which callers may now sort', async () => {
    const res = await t.http.get(base).set(t.admin).expect(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((f: Listed) => f.key)).toEqual(KEYS);
    const byName = await t.http.get(base).query({ sort: 'name' }).set(t.admin).expect(200);
    expect(byName.body.map((f: Listed) => f.key)).toEqual([...KEYS].reverse());
  });

  it('answers a page of 50 when no limit is given', async () => {
    const first = await page({});
    expect(first.items.map((f) => f.key)).toEqual(KEYS);
    expect(first.nextCursor).toBeNull();
  });

  it('pages by key with a total and a cursor, and the pages add up to the whole list', async () => {
    const first = await page({ limit: 3 });
    expect(first.items.map((f) => f.key)).toEqual(KEYS.slice(0, 3));
    expect(first.total).toBe(KEYS.length);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(await walk({ limit: 3 })).toEqual(KEYS);
    const last = await page({ limit: KEYS.length });
    expect(last.nextCursor).toBeNull();
  });

  it('sorts by name and by key in both directions', async () => {
    expect(await walk({ limit: 2, sort: 'name' })).toEqual([...KEYS].reverse());
    expect(await walk({ limit: 2, sort: 'key', order: 'desc' })).toEqual([...KEYS].reverse());
    expect(await walk({ limit: 4, sort: 'name', order: 'desc' })).toEqual(KEYS);
  });

  it('sorts by last change, config changes included', async () => {
    // Change charlie's config, then bravo's own fields: those two become the newest, bravo first.
    await t.http.patch(`${base}/list.charlie/environments/development`).set(t.admin).send({ version: 0, on: true }).expect(200);
    await t.http.patch(`${base}/list.bravo`).set(t.admin).send({ version: 1, description: 'touched' }).expect(200);
    const newest = await walk({ limit: 2, sort: 'changed', order: 'desc' });
    expect(newest.slice(0, 2)).toEqual(['list.bravo', 'list.charlie']);
    expect(newest.slice(2)).toEqual([...KEYS].reverse().filter((k) => k !== 'list.bravo' && k !== 'list.charlie'));
    expect(await walk({ limit: 3, sort: 'changed' })).toEqual([...newest].reverse());
  });

  it('sorts by last evaluation, never-evaluated flags as the oldest', async () => {
    const windowEnd = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    const batch = (flag: string, minutesAgo: number) => ({
      windowStart: new Date(windowEnd.getTime() - minutesAgo * 60_000 - 5_000).toISOString(),
      windowEnd: new Date(windowEnd.getTime() - minutesAgo * 60_000).toISOString(),
      series: [],
      evaluations: [{ flag, variant: 'on', reason: 'STATIC', count: 1 }],
    });
    await t.http
      .post('/api/v1/sdk/events')
      .set(bearer(sdkKey))
      .send({ sdk: 'test/1', batches: [batch('list.golf', 5), batch('list.alpha', 1)], dropped: 0 })
      .expect(202);
    const keys = await walk({ limit: 2, sort: 'evaluated', order: 'desc' });
    expect(keys.slice(0, 2)).toEqual(['list.alpha', 'list.golf']);
    // The never-evaluated rest tie, and the key decides among them in the same direction.
    expect(keys.slice(2)).toEqual(KEYS.filter((k) => k !== 'list.alpha' && k !== 'list.golf').reverse());
  });

  it('searches key, name, description and tags, case-insensitively, with total counting all matches', async () => {
    const find = async (q: string) => (await page({ q, limit: 50 })).items.map((f) => f.key);
    expect(await find('ECHO')).toEqual(['list.echo']);
    expect(await find('nightly')).toEqual(['list.echo']);
    expect(await find('payments')).toEqual(['list.delta']);
    expect(await find(nameOf('list.foxtrot').toLowerCase())).toEqual(['list.foxtrot']);
    // LIKE wildcards are searched for literally.
    expect(await find('list_')).toEqual([]);
    expect(await find('%')).toEqual([]);
    const paged = await page({ q: 'list.', limit: 2 });
    expect(paged.total).toBe(KEYS.length);
    // The array answer searches the same way.
    expect((await t.http.get(base).query({ q: 'payments' }).set(t.admin)).body.map((f: Listed) => f.key)).toEqual(['list.delta']);
  });

  it('filters by status in an environment', async () => {
    await t.http.post(`${base}/list.foxtrot/environments/development/kill`).set(t.admin).send({ reason: 'incident' });
    const on = await page({ status: 'on', environment: 'development', limit: 50 });
    expect(on.items.map((f) => f.key)).toEqual(['list.charlie']);
    const killed = await page({ status: 'killed', environment: 'development', limit: 50 });
    expect(killed.items.map((f) => f.key)).toEqual(['list.foxtrot']);
    const off = await page({ status: 'off', environment: 'development', limit: 50 });
    expect(off.total).toBe(KEYS.length - 2);
    expect((await page({ status: 'on', environment: 'production', limit: 50 })).total).toBe(0);
  });

  it('pages the stale filter the same way as the whole list answers it', async () => {
    const whole = (await t.http.get(base).query({ stale: 'false', sort: 'name' }).set(t.admin).expect(200)).body.map((f: Listed) => f.key);
    expect(whole.length).toBeGreaterThan(2);
    expect(await walk({ limit: 2, stale: 'false', sort: 'name' })).toEqual(whole);
    expect((await page({ limit: 2, stale: 'false' })).total).toBe(whole.length);
  });

  it('keeps a stable next page when flags are created before the cursor meanwhile', async () => {
    const first = await page({ limit: 3 });
    // Sorts before everything already listed: an offset would now repeat list.charlie.
    await aBooleanFlag(t.http, t.admin, 'catalogue', 'list.aaa');
    const second = await page({ limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((f) => f.key)).toEqual(KEYS.slice(3, 6));
    expect(second.total).toBe(KEYS.length + 1);
  });

  it('refuses a bad limit, sort, order, status or cursor with 400 naming the field', async () => {
    const fieldsOf = async (query: Record<string, string | number>) => {
      const res = await t.http.get(search).query(query).set(t.admin);
      expect(res.status, JSON.stringify(query)).toBe(400);
      return [...new Set(res.body.details.map((d: { field: string }) => d.field))];
    };
    expect(await fieldsOf({ limit: 0 })).toEqual(['limit']);
    expect(await fieldsOf({ limit: 201 })).toEqual(['limit']);
    expect(await fieldsOf({ limit: 'ten' })).toEqual(['limit']);
    expect(await fieldsOf({ limit: 2.5 })).toEqual(['limit']);
    expect(await fieldsOf({ sort: 'colour' })).toEqual(['sort']);
    expect(await fieldsOf({ order: 'sideways' })).toEqual(['order']);
    expect(await fieldsOf({ status: 'maybe', environment: 'development' })).toEqual(['status']);
    expect(await fieldsOf({ status: 'on' })).toEqual(['environment']);
    expect(await fieldsOf({ limit: 2, cursor: 'not-a-cursor' })).toEqual(['cursor']);
    expect(await fieldsOf({ limit: 2, cursor: Buffer.from('{"sort":"key"}').toString('base64url') })).toEqual(['cursor']);
    // The array answers every flag: it takes no page.
    expect((await t.http.get(base).query({ limit: 2 }).set(t.admin)).body.details).toEqual([expect.objectContaining({ field: 'limit' })]);
    // A cursor of one order sent with another would start somewhere meaningless.
    const byName = (await page({ limit: 2, sort: 'name' })).nextCursor!;
    expect(await fieldsOf({ limit: 2, cursor: byName })).toEqual(['cursor']);
    expect((await t.http.get(search).query({ status: 'on', environment: 'nowhere' }).set(t.admin)).status).toBe(404);
  });
});
