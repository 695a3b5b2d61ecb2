// The realtime client will be exported from here too; for now the SDK is its evaluation core.
export * from './core/index.js';
export * from './client/index.js';
