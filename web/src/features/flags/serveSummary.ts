import type { Serve } from '@signalbox/sdk/core';

/**
 * What a rule or default serves, in words ("on", "on 25% / off 75%"). Its own module, importing only
 * types: the flags list shows it on every row, and flagConfig.ts would bring the SDK's operator
 * table and evaluation code into the first screen's bundle.
 */
export const serveSummary = (serve: Serve | null): string => {
  if (!serve) return "the caller's default";
  if ('variant' in serve) return serve.variant;
  return serve.rollout.variants.map((v) => `${v.variant} ${v.weight / 1000}%`).join(' / ');
};
