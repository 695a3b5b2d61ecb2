import type { Rollout, Serve, Variant } from '@signalbox/sdk/core';

export const TOTAL_WEIGHT = 100000;

export const percentToWeight = (percent: number): number => Math.round(Math.min(100, Math.max(0, percent)) * 1000);

/** Every variant of the flag, in the flag's order, with its weight (0 when the rollout leaves it out). */
export const completeRollout = (rollout: Rollout, variants: Variant[]): Rollout => ({
  ...rollout,
  variants: [...rollout.variants, ...variants.filter((v) => !rollout.variants.some((w) => w.variant === v.key)).map((v) => ({ variant: v.key, weight: 0 }))],
});

/**
 * Sets one variant's share. With two variants the other takes the rest, so moving a 20% rollout
 * is one edit; with more the user balances them and the total is checked.
 */
export const setWeight = (rollout: Rollout, index: number, percent: number): Rollout => {
  const weight = percentToWeight(percent);
  const variants = rollout.variants.map((v, i) => (i === index ? { ...v, weight } : v));
  if (variants.length === 2) {
    const other = index === 0 ? 1 : 0;
    variants[other] = { ...variants[other]!, weight: TOTAL_WEIGHT - weight };
  }
  return { ...rollout, variants };
};

export const totalWeight = (rollout: Rollout): number => rollout.variants.reduce((sum, v) => sum + v.weight, 0);

/** Switching a serve to a rollout starts from what it served: that variant at 100%. */
export const rolloutFrom = (serve: Serve | null, variants: Variant[]): Rollout => {
  if (serve && 'rollout' in serve) return serve.rollout;
  const served = serve && 'variant' in serve ? serve.variant : variants[0]?.key;
  return { variants: variants.map((v) => ({ variant: v.key, weight: v.key === served ? TOTAL_WEIGHT : 0 })) };
};

export const variantFrom = (serve: Serve | null, variants: Variant[]): string => {
  if (serve && 'variant' in serve) return serve.variant;
  if (serve && 'rollout' in serve) {
    const biggest = [...serve.rollout.variants].sort((a, b) => b.weight - a.weight)[0];
    if (biggest) return biggest.variant;
  }
  return variants[0]?.key ?? '';
};
