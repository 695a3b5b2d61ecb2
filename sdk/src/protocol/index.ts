export * from './messages.js';
export type { EnvironmentConfig, FlagConfig, Segment } from '../core/types.js';
