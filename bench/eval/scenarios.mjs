// The three logical scenarios every library runs, over the same 100,000 units.

export const UNIT_COUNT = 100_000;

/** Plain unit data; each adapter turns it into its library's context shape before timing. */
export const units = Array.from({ length: UNIT_COUNT }, (_, i) => ({
  key: `user-${i}`,
  // 5% enterprise, the rest split between pro and free.
  plan: i % 20 === 0 ? 'enterprise' : i % 3 === 0 ? 'pro' : 'free',
}));

/** S3's 50 individually listed keys. */
export const listedKeys = Array.from({ length: 50 }, (_, i) => `user-${(i * 1999 + 7) % UNIT_COUNT}`);

const listed = new Set(listedKeys);

/** How many units S3 must serve v3 (enterprise plan or listed key). */
export const expectedV3 = units.filter((unit) => unit.plan === 'enterprise' || listed.has(unit.key)).length;

export const SCENARIOS = {
  S1: 'boolean flag on for everyone',
  S2: '20% rollout by targetingKey',
  S3: 'v3 for plan == enterprise or 50 listed keys, else 80/20 v1/v2',
};
