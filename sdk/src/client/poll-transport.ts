import type { RefusalMessage } from '../protocol/messages.js';
import { Backoff, jittered } from './backoff.js';
import { isEnvironmentConfig } from './config-store.js';
import { describeError } from './logger.js';
import type { ServerEndpoints } from './server-url.js';
import { SignalboxConnectionError, type Transport, type TransportSink } from './transport.js';

/** Settings of the polling transport. */
export interface PollTransportOptions {
  endpoints: ServerEndpoints;
  sdkKey: string;
  clientName: string;
  intervalMs: number;
  /** First retry delay after a failed poll (doubles per failure, capped at `intervalMs`). */
  retryDelayMs: number;
  requestTimeoutMs: number;
  fetch: typeof fetch;
}

/**
 * Polls the config snapshot over HTTP every `intervalMs` (±10 % jitter, so a fleet started
 * together does not poll in step). `If-None-Match` carries the held sequence as the ETag, so an
 * unchanged config costs a 304. Failed polls (network errors, 5xx, 503 while the server's database
 * is unavailable) are retried sooner, with backoff, honouring `Retry-After`. Only 401/403 stops it.
 */
export class PollTransport implements Transport {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private request: AbortController | undefined;
  private stopped = false;
  private started = false;
  private retryAfterMs = 0;
  private readonly backoff: Backoff;

  constructor(
    private readonly options: PollTransportOptions,
    private readonly sink: TransportSink,
  ) {
    this.backoff = new Backoff(options.retryDelayMs, options.intervalMs);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.poll();
  }

  acknowledge(): void {
    // Polling has no connection to acknowledge on; the server sees the ETag of each poll instead.
  }

  requestResync(): void {
    // Every poll answers with a snapshot already.
  }

  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.request?.abort();
    this.request = undefined;
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    const succeeded = await this.fetchOnce();
    if (this.stopped) return;
    // A server that said when to come back (503 Retry-After) is not asked sooner, nor later than the interval.
    const delay = succeeded ? jittered(this.options.intervalMs, 0.1) : Math.max(this.backoff.next(), Math.min(this.retryAfterMs, this.options.intervalMs));
    this.retryAfterMs = 0;
    if (succeeded) this.backoff.reset();
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  /** One poll; true when the server answered with a config or a 304. Never throws. */
  private async fetchOnce(): Promise<boolean> {
    const { endpoints, sdkKey, clientName, requestTimeoutMs } = this.options;
    const controller = new AbortController();
    this.request = controller;
    const timeout = setTimeout(() => controller.abort(), requestTimeoutMs);
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${sdkKey}`,
        accept: 'application/json',
        'x-signalbox-client': clientName,
      };
      const sequence = this.sink.currentSequence();
      if (sequence > 0) headers['if-none-match'] = `"${sequence}"`;
      const response = await this.options.fetch(endpoints.configUrl, { headers, signal: controller.signal });
      if (this.stopped) return false;

      if (response.status === 304) {
        await response.body?.cancel();
        this.sink.connected();
        return true;
      }
      if (response.status === 401 || response.status === 403) {
        const refusal = await readRefusal(response);
        this.close();
        this.sink.refused(refusal);
        return false;
      }
      if (!response.ok) {
        this.retryAfterMs = retryAfterMs(response.headers.get('retry-after'));
        await response.body?.cancel();
        this.fail(new SignalboxConnectionError(`GET ${endpoints.configUrl} answered ${response.status}`, response.status), `http ${response.status}`);
        return false;
      }
      const config: unknown = await response.json();
      if (this.stopped) return false;
      if (!isEnvironmentConfig(config)) {
        this.fail(new SignalboxConnectionError(`GET ${endpoints.configUrl} answered with something that is not a config`), 'malformed config');
        return false;
      }
      this.sink.message({ type: 'snapshot', sequence: config.sequence, config });
      this.sink.connected();
      return true;
    } catch (error) {
      if (this.stopped) return false;
      const reason = controller.signal.aborted ? `no answer within ${requestTimeoutMs} ms` : describeError(error);
      this.fail(new SignalboxConnectionError(`cannot poll ${endpoints.configUrl}: ${reason}`), 'request failed');
      return false;
    } finally {
      clearTimeout(timeout);
      if (this.request === controller) this.request = undefined;
    }
  }

  private fail(error: Error, reason: string): void {
    this.sink.error(error);
    this.sink.disconnected(reason);
  }
}

/** `Retry-After` in seconds (the HTTP-date form is not used by Signalbox); 0 when absent or unreadable. */
function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

async function readRefusal(response: Response): Promise<RefusalMessage> {
  const fallback: RefusalMessage = {
    error: response.status === 403 ? 'FORBIDDEN' : 'UNAUTHENTICATED',
    message: `the server answered ${response.status}`,
  };
  try {
    const body = (await response.json()) as Partial<RefusalMessage> | null;
    return typeof body?.message === 'string' ? { error: fallback.error, message: body.message } : fallback;
  } catch {
    return fallback;
  }
}
