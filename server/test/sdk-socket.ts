import type { ChangeMessage, ServerMessage, SnapshotMessage } from '@signalbox/sdk/protocol';
import { io, type Socket } from 'socket.io-client';

/** A raw protocol client for tests: records every message the server sends, in order. */
export interface RawSdkSocket {
  socket: Socket;
  messages: ServerMessage[];
  refused: unknown[];
  /** Resolves when a message matching `predicate` has arrived (or rejects after `timeoutMs`). */
  waitFor(predicate: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  close(): void;
}

export const connectSdk = (url: string, sdkKey: string, sequence = 0, options: { autoAck?: boolean } = {}): Promise<RawSdkSocket> =>
  new Promise((resolve, reject) => {
    const messages: ServerMessage[] = [];
    const refused: unknown[] = [];
    const waiters: Array<{ predicate: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }> = [];
    const socket = io(`${url}/sdk`, { auth: { sdkKey, sequence, client: 'test' }, transports: ['websocket'], reconnection: false, forceNew: true });
    const record = (m: ServerMessage) => {
      messages.push(m);
      if (options.autoAck !== false) socket.emit('ack', { type: 'ack', sequence: m.sequence });
      for (const w of [...waiters]) {
        if (w.predicate(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    socket.on('snapshot', (m: SnapshotMessage) => record(m));
    socket.on('change', (m: ChangeMessage) => record(m));
    socket.on('refused', (r: unknown) => refused.push(r));
    socket.on('connect_error', (err: Error & { data?: unknown }) => reject(Object.assign(err, { data: err.data })));
    socket.on('connect', () =>
      resolve({
        socket,
        messages,
        refused,
        waitFor: (predicate, timeoutMs = 5000) => {
          const found = messages.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((res, rej) => {
            const timer = setTimeout(
              () => rej(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => [m.type, m.sequence]))}`)),
              timeoutMs,
            );
            waiters.push({ predicate, resolve: (m) => (clearTimeout(timer), res(m)) });
          });
        },
        close: () => socket.close(),
      }),
    );
  });

export const sequences = (messages: ServerMessage[]) => messages.map((m) => m.sequence);
