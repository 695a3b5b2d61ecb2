import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-signalbox-signature';
export const TIMESTAMP_HEADER = 'x-signalbox-timestamp';
export const EVENT_HEADER = 'x-signalbox-event';
export const DELIVERY_HEADER = 'x-signalbox-delivery';

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: the timestamp is signed so a captured request cannot be replayed later. */
export const signPayload = (secret: string, timestamp: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;

/**
 * What a receiver does: recompute, compare in constant time, and refuse old timestamps.
 * Exported for receivers written in TypeScript and for the tests.
 */
export const verifySignature = (
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean => {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  const age = Math.abs((options.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const presented = Buffer.from(signature);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
};
