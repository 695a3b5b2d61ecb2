import { describe, expect, it } from 'vitest';
import { failureStatus, toOfrepResult } from './ofrep.mapping.js';

describe('OFREP mapping', () => {
  it('passes OpenFeature reasons through with value, variant and metadata', () => {
    expect(toOfrepResult('f', { value: 'b', variant: 'v2', reason: 'TARGETING_MATCH', ruleIndex: 1 }, 4)).toEqual({
      key: 'f',
      value: 'b',
      variant: 'v2',
      reason: 'TARGETING_MATCH',
      metadata: { flagVersion: 4, ruleIndex: 1 },
    });
    for (const reason of ['STATIC', 'SPLIT', 'DEFAULT', 'DISABLED'] as const)
      expect(toOfrepResult('f', { value: 1, variant: 'a', reason }, 1)).toMatchObject({ reason });
  });

  it('maps KILLED and PREREQUISITE_FAILED to DISABLED and keeps the original in metadata', () => {
    expect(toOfrepResult('f', { value: false, variant: 'off', reason: 'KILLED' }, 2)).toEqual({
      key: 'f',
      value: false,
      variant: 'off',
      reason: 'DISABLED',
      metadata: { flagVersion: 2, signalboxReason: 'KILLED' },
    });
    expect(toOfrepResult('f', { value: false, variant: 'off', reason: 'PREREQUISITE_FAILED' }, 2)).toMatchObject({
      reason: 'DISABLED',
      metadata: { signalboxReason: 'PREREQUISITE_FAILED' },
    });
  });

  it('leaves the value out when the caller’s default is served (no variant)', () => {
    const result = toOfrepResult('f', { value: null, reason: 'DISABLED' }, 1);
    expect(result).toEqual({ key: 'f', reason: 'DISABLED', metadata: { flagVersion: 1 } });
    expect('value' in result).toBe(false);
  });

  it('turns every error code into an OFREP failure with its status', () => {
    const cases = [
      ['FLAG_NOT_FOUND', 'FLAG_NOT_FOUND', 404],
      ['TARGETING_KEY_MISSING', 'TARGETING_KEY_MISSING', 400],
      ['PARSE_ERROR', 'PARSE_ERROR', 400],
      ['TYPE_MISMATCH', 'GENERAL', 500],
      ['GENERAL', 'GENERAL', 500],
    ] as const;
    for (const [code, errorCode, status] of cases) {
      // A missing bucketing key serves the off variant in Signalbox, but OFREP has no value-with-error.
      const result = toOfrepResult('f', { value: false, variant: 'off', reason: 'ERROR', errorCode: code, errorMessage: 'why' }, 1);
      expect(result).toEqual({ key: 'f', errorCode, errorDetails: 'why' });
      expect(failureStatus(errorCode)).toBe(status);
    }
    expect(toOfrepResult('f', { value: null, reason: 'ERROR' }, 1)).toMatchObject({ errorCode: 'GENERAL', errorDetails: expect.any(String) });
  });
});
