import { createFlags } from '@signalbox/sdk';
import { expect } from 'vitest';

const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined };

/** mulberry32: a small deterministic generator, so simulated traffic is the same every run. */
export const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * Real SDK traffic for an experiment: `users` users routed by the flag, each recording what
 * `outcome(variant, user)` returns (metric → value; null records nothing, like a crash before tracking).
 */
export const simulateTraffic = async (
  url: string,
  sdkKey: string,
  flag: string,
  users: number,
  outcome: (variant: string, user: number) => Record<string, number> | null,
): Promise<void> => {
  const flags = createFlags({ url, sdkKey, logger: quiet, telemetry: { flushIntervalMs: 60_000 } });
  try {
    expect(await flags.waitForReady({ timeoutMs: 5000 })).toBe('ready');
    for (let i = 0; i < users; i++) {
      const model = flags.route(flag, { targetingKey: `${flag}-user-${i}` }, { v1: () => 'a', v2: () => 'b' });
      await model.run();
      for (const [metric, value] of Object.entries(outcome(model.variant, i) ?? {})) model.track(metric, value);
    }
    await flags.flush();
  } finally {
    await flags.close();
  }
};
