import { EventEmitter } from 'node:events';
import type { EmbeddedDatabase } from './embedded-database.js';

/** PostgreSQL channels Signalbox uses; payloads are small JSON objects. */
export const CHANNELS = {
  changes: 'signalbox_changes',
  sdkKeys: 'signalbox_sdk_keys',
  /** Every audited change, named (never its before/after), for open consoles on every instance. */
  console: 'signalbox_console',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** Where the data lives: a PostgreSQL server, or the embedded database of this process. */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | {
      kind: 'embedded';
      embedded: EmbeddedDatabase;
      /** NOTIFYs of the embedded database, re-emitted by channel name (payload: string). */
      notifications: EventEmitter;
    };

export const DATABASE_TARGET = Symbol('DATABASE_TARGET');

/**
 * PGlite is one session shared through a lease: LISTEN must be issued before anyone can hold a
 * transaction open, or it would become part of it. So the embedded target listens right away.
 */
export const embeddedTarget = async (embedded: EmbeddedDatabase): Promise<DatabaseTarget> => {
  const notifications = new EventEmitter().setMaxListeners(50);
  for (const channel of Object.values(CHANNELS)) {
    await embedded.db.listen(channel, (payload) => notifications.emit(channel, payload));
  }
  return { kind: 'embedded', embedded, notifications };
};
