// The SDK: its pure evaluation core, the client that keeps it up to date, pipeline helpers,
// telemetry and the OpenFeature provider.
export * from './core/index.js';
export * from './client/index.js';
export * from './pipeline/index.js';
export * from './telemetry/index.js';
export * from './openfeature/index.js';
