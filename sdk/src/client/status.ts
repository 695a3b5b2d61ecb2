/**
 * What the client can say about the config it serves:
 *
 * - `initializing`: no config yet (no bootstrap, no cache, no snapshot) and no connection attempt has failed;
 *   evaluations serve the caller's default.
 * - `ready`: serving the server's config and in contact with the server (socket connected; for polling,
 *   the last poll succeeded), heard from within `staleAfterMs` when that option is set.
 * - `stale`: serving a config that may be out of date: loaded from `bootstrap` or the cache file and not
 *   yet confirmed by the server, or connected but silent for longer than `staleAfterMs`.
 * - `offline`: the connection is down (or the client was closed). Evaluations serve the last config,
 *   or the caller's default when there never was one.
 * - `error`: the server refused the SDK key. The client stops retrying and keeps serving the last config.
 */
export type ClientStatus = 'initializing' | 'ready' | 'stale' | 'offline' | 'error';

/** The state of the link to the server, as the transport reports it. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** The inputs `deriveStatus` decides from. */
export interface StatusInputs {
  hasConfig: boolean;
  /** The config has been confirmed by the server (a snapshot, or a connection that resumed from it). */
  confirmed: boolean;
  connection: ConnectionState;
  refused: boolean;
  /** `staleAfterMs` is set and the server has been silent for longer. */
  silentTooLong: boolean;
}

/** The status for a state of the client; see {@link ClientStatus}. */
export function deriveStatus(state: StatusInputs): ClientStatus {
  if (state.refused) return 'error';
  if (!state.hasConfig) return state.connection === 'disconnected' ? 'offline' : 'initializing';
  if (!state.confirmed) return 'stale';
  if (state.connection !== 'connected') return 'offline';
  return state.silentTooLong ? 'stale' : 'ready';
}
