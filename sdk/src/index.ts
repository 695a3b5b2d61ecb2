// The SDK: its pure evaluation core, the client that keeps it up to date, pipeline helpers,
// telemetry and the OpenFeature provider. Importing it loads none of socket.io-client (loaded when
// a socket transport starts), OpenFeature (when a provider is made) or the CLI; the narrower entry
// points `@signalbox/sdk/core`, `/client` and `/openfeature` load less still.
export * from './core/index.js';
export * from './client/index.js';
export * from './pipeline/index.js';
export * from './telemetry/index.js';
export { SignalboxProvider, type SignalboxProviderOptions } from './openfeature/signalbox-provider.js';
