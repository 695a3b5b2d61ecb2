import { describe, expect, it } from 'vitest';
import { deriveStatus, type ClientStatus, type StatusInputs } from './status.js';

const base: StatusInputs = { hasConfig: true, confirmed: true, connection: 'connected', refused: false, silentTooLong: false };

describe('deriveStatus', () => {
  const cases: [string, Partial<StatusInputs>, ClientStatus][] = [
    ['ready when connected with a confirmed config', {}, 'ready'],
    ['error when the key was refused, whatever else holds', { refused: true, hasConfig: true }, 'error'],
    ['initializing with no config while connecting', { hasConfig: false, confirmed: false, connection: 'connecting' }, 'initializing'],
    ['initializing with no config once connected, until the snapshot', { hasConfig: false, confirmed: false }, 'initializing'],
    ['offline with no config when the connection failed', { hasConfig: false, confirmed: false, connection: 'disconnected' }, 'offline'],
    ['stale with a bootstrap or cached config the server has not confirmed', { confirmed: false, connection: 'connecting' }, 'stale'],
    ['stale with an unconfirmed config even when the server is unreachable', { confirmed: false, connection: 'disconnected' }, 'stale'],
    ['offline when a confirmed config lost its connection', { connection: 'disconnected' }, 'offline'],
    ['stale when connected but silent for longer than staleAfterMs', { silentTooLong: true }, 'stale'],
  ];
  it.each(cases)('%s', (_name, inputs, expected) => {
    expect(deriveStatus({ ...base, ...inputs })).toBe(expected);
  });
});
