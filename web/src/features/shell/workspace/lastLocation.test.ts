import { beforeEach, describe, expect, it } from 'vitest';
import { locationWorkspace, rememberLocation, rememberedLocation } from './lastLocation';

describe('last location', () => {
  beforeEach(() => localStorage.clear());

  it('returns the location remembered last', () => {
    rememberLocation('/demo/staging/flags');
    rememberLocation('/demo/production/flags/etl.x?tab=history');
    expect(rememberedLocation()).toBe('/demo/production/flags/etl.x?tab=history');
  });

  it('has none before anything was remembered', () => {
    expect(rememberedLocation()).toBeNull();
  });

  it('reads the project and environment a location names', () => {
    expect(locationWorkspace('/demo/staging/flags/a.b?tab=history')).toEqual({ project: 'demo', environment: 'staging' });
    expect(locationWorkspace('/demo')).toBeNull();
    expect(locationWorkspace('/')).toBeNull();
  });
});
