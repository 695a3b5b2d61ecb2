import { describe, expect, it } from 'vitest';
import { cookieValue, parseSubscribeRequest } from './console.messages.js';

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

describe('finding the session cookie in a handshake', () => {
  it('finds it among other cookies and decodes it', () => {
    expect(cookieValue('theme=dark; signalbox_session=sbs_abc%2Bdef; other=1', 'signalbox_session')).toBe('sbs_abc+def');
  });

  it('answers undefined without the cookie, with an empty one, or with a broken encoding', () => {
    expect(cookieValue(undefined, 'signalbox_session')).toBeUndefined();
    expect(cookieValue('signalbox_session_old=x', 'signalbox_session')).toBeUndefined();
    expect(cookieValue('signalbox_session=', 'signalbox_session')).toBeUndefined();
    expect(cookieValue('signalbox_session=%E0%A4%A', 'signalbox_session')).toBeUndefined();
  });
});
