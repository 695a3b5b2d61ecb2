import { describe, expect, it } from 'vitest';
import { errorBody, toHttpError } from '../common/errors/http-error.mapper.js';
import type { DeliveryHealth, Readiness } from './delivery-health.service.js';
import { HealthController } from './health.controller.js';

const controllerWith = (readiness: Readiness) => new HealthController({ readiness: async () => readiness } as unknown as DeliveryHealth);

describe('readiness probe', () => {
  it('answers ready when delivery is healthy', async () => {
    expect(await controllerWith({ ready: true }).ready()).toEqual({ status: 'ready' });
  });

  it('answers 503 UNAVAILABLE naming each reason, in the message for people and in details.reasons for tools', async () => {
    const reasons = ['This instance is shutting down', 'The database did not answer within 2000 ms'];
    const refusal = await controllerWith({ ready: false, reasons })
      .ready()
      .catch((err: unknown) => err);
    const error = toHttpError(refusal);
    expect(error.status).toBe(503);
    expect(errorBody(error, 'r')).toEqual({ error: 'UNAVAILABLE', message: reasons.join('; '), details: { reasons }, requestId: 'r' });
    // Probes poll on their own schedule; Retry-After is for a request that will work shortly.
    expect(error.headers).toEqual({});
  });
});
