/**
 * Pipeline helpers: gated steps, model routing, shadow runs, pinned runs, fail-closed checks, metrics.
 */
export { createFlags, SignalboxFlags, type FlagsOptions } from './signalbox-flags.js';
export { FlagScope, type StepOptions, type TrackOptions } from './flag-scope.js';
export { RunSnapshot, type LiveConfigSource } from './run-snapshot.js';
export { ModelRoute, type RouteOptions } from './model-route.js';
export type { ShadowOptions } from './shadow.js';
export { deepEqual } from './deep-equal.js';
export { waitForFreshConfig, type ConfigAgeSource, type FreshnessRequirement } from './freshness.js';
export { SignalboxStaleConfigError } from './stale-config-error.js';
