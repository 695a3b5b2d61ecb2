import type { IncomingMessage, ServerResponse } from 'node:http';
import cookieParser from 'cookie-parser';
import { describe, expect, it } from 'vitest';
import { audienceOf, type ConsoleChange, parseSubscribeRequest, presentedCredential } from './console.messages.js';

describe('reading a console subscription', () => {
  it('takes a project, and an environment when one is named', () => {
    expect(parseSubscribeRequest({ project: 'pipelines' })).toEqual({ project: 'pipelines' });
    expect(parseSubscribeRequest({ project: 'pipelines', environment: 'production' })).toEqual({ project: 'pipelines', environment: 'production' });
    expect(parseSubscribeRequest({ project: 'pipelines', environment: null })).toEqual({ project: 'pipelines' });
  });

  it('names the field that is wrong', () => {
    expect(parseSubscribeRequest(undefined)).toMatch(/^project:/);
    expect(parseSubscribeRequest('pipelines')).toMatch(/^project:/);
    expect(parseSubscribeRequest({ project: '' })).toMatch(/^project:/);
    expect(parseSubscribeRequest({ project: 'p'.repeat(129) })).toMatch(/^project:/);
    expect(parseSubscribeRequest({ project: 'pipelines', environment: 3 })).toMatch(/^environment:/);
  });
});

/** The cookies of a handshake as the gateway reads them: parsed by cookie-parser, as engine.use(cookieParser()) does. */
const cookiesOf = (header: string | undefined): Record<string, unknown> => {
  const request = { headers: header === undefined ? {} : { cookie: header } } as IncomingMessage & { cookies?: Record<string, unknown> };
  cookieParser()(request as never, {} as ServerResponse as never, () => undefined);
  return request.cookies ?? {};
};

const SESSION = 'signalbox_session';

describe('finding the credential a console presents', () => {
  it('finds the session cookie among other cookies and decodes it', () => {
    expect(presentedCredential({ cookies: cookiesOf('theme=dark; signalbox_session=sbs_abc%2Bdef; other=1') }, SESSION)).toEqual({
      secret: 'sbs_abc+def',
      via: 'cookie',
    });
  });

  it('finds nothing without the cookie or with an empty one', () => {
    expect(presentedCredential({ cookies: cookiesOf(undefined) }, SESSION)).toBeUndefined();
    expect(presentedCredential({ cookies: cookiesOf('signalbox_session_old=x') }, SESSION)).toBeUndefined();
    expect(presentedCredential({ cookies: cookiesOf('signalbox_session=') }, SESSION)).toBeUndefined();
  });

  it('prefers auth.token, then a bearer header, to the cookie', () => {
    const cookies = cookiesOf('signalbox_session=sbs_cookie');
    expect(presentedCredential({ auth: { token: 'sbt_token' }, authorization: 'Bearer sbt_header', cookies }, SESSION)).toEqual({
      secret: 'sbt_token',
      via: 'token',
    });
    expect(presentedCredential({ authorization: 'Bearer sbt_header', cookies }, SESSION)).toEqual({ secret: 'sbt_header', via: 'token' });
  });

  it('refuses an oversized token and a malformed Authorization header rather than fall back to the cookie', () => {
    const cookies = cookiesOf('signalbox_session=sbs_cookie');
    expect(presentedCredential({ auth: { token: 'x'.repeat(501) }, cookies }, SESSION)).toBeUndefined();
    expect(presentedCredential({ authorization: 'Basic abc', cookies }, SESSION)).toBeUndefined();
  });
});

describe('who hears a change', () => {
  const base = { project: 'p', environment: 'production', key: 'k', sequence: null, action: 'x.y' } as const;

  it('sends flags, segments, rollouts, experiments and triggers to the consoles of their project and environment', () => {
    for (const kind of ['flag', 'segment', 'rollout', 'experiment', 'trigger'] as const)
      expect(audienceOf({ ...base, kind })).toEqual({ to: 'project', project: 'p', environment: 'production' });
    expect(audienceOf({ ...base, kind: 'flag', environment: null })).toEqual({ to: 'project', project: 'p', environment: null });
  });

  it('sends projects, environments and SDK keys to every console, and users, tokens and webhooks to admins only', () => {
    for (const kind of ['project', 'environment', 'sdk-key'] as const) expect(audienceOf({ ...base, kind })).toEqual({ to: 'everyone' });
    const adminChange = (kind: 'user' | 'token' | 'webhook'): ConsoleChange => ({
      kind,
      project: null,
      environment: null,
      key: 'k',
      sequence: null,
      action: 'a',
    });
    for (const kind of ['user', 'token', 'webhook'] as const) expect(audienceOf(adminChange(kind))).toEqual({ to: 'admins' });
  });
});
