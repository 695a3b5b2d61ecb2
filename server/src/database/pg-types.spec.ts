import { describe, expect, it } from 'vitest';
import { loadPg } from './pg-types.js';

describe('ListenedClient', () => {
  it('survives an error event nobody else listens for (a FATAL between pool hand-out and TypeORM)', () => {
    const client = new (loadPg().ListenedClient)({ connectionString: 'postgres://127.0.0.1:1/none' });
    expect(() => client.emit('error', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).not.toThrow();
  });
});
