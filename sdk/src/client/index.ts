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
/** The parts a client is made of, for a relay that holds an environment for other SDKs (`signalbox relay`). */
export { SocketTransport, type SocketTransportOptions } from './socket-transport.js';
export { ConfigStore, type ApplyOutcome } from './config-store.js';
export { serverEndpoints } from './server-url.js';
export type { Transport, TransportSink } from './transport.js';
