/**
 * The Signalbox client: in-process evaluation against a config the server keeps current.
 */
export { SignalboxClient, createClient, type EvaluationObserver, type FlagDetails } from './client.js';
export type { ClientOptions, TransportKind, WaitForReadyOptions } from './client-options.js';
export type { ClientStatus } from './status.js';
export type { ClientEventMap, FlagChangeEvent, Unsubscribe } from './events.js';
export type { Logger } from './logger.js';
export { SignalboxConnectionError, SignalboxRefusedError } from './transport.js';
export { SDK_CLIENT_NAME } from './version.js';
