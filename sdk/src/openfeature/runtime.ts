import type * as OpenFeatureSdk from '@openfeature/server-sdk';

/** What the provider uses of `@openfeature/server-sdk` at run time: its emitter, errors and codes. */
export type OpenFeatureRuntime = typeof OpenFeatureSdk;

let runtime: OpenFeatureRuntime | undefined;

/** Called by the `@signalbox/sdk/openfeature` entry with the OpenFeature it imported (the application's ES module copy). */
export function useOpenFeature(sdk: OpenFeatureRuntime): void {
  runtime = sdk;
}

/**
 * OpenFeature for a provider being constructed. The root entry re-exports the provider but must not
 * load OpenFeature for the users who never use it, and a constructor cannot await an import: a
 * provider made through it requires OpenFeature then. OpenFeature reads a provider's emitter and
 * errors by shape (`addHandler`, `code`), so that copy works with the application's.
 */
export function openFeature(): OpenFeatureRuntime {
  runtime ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('@openfeature/server-sdk') as OpenFeatureRuntime;
  return runtime;
}
