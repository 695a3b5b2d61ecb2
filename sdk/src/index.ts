// The SDK: its pure evaluation core, and the client that keeps it up to date.
export * from './core/index.js';
export * from './client/index.js';
