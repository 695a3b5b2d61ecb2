import { gzipSync } from 'node:zlib';
import { ConfigStore, serverEndpoints, SocketTransport, type Transport } from '@signalbox/sdk/client';
import type { CompiledEnvironment, EnvironmentConfig } from '@signalbox/sdk/core';
import type { ChangeMessage, RefusalMessage, ServerMessage } from '@signalbox/sdk/protocol';
import { hashSecret } from '../auth/secrets.js';
import { reasonOf, type RelayLogger } from './relay-logger.js';

/** How many recent changes a link keeps to resume a downstream client without a snapshot (as the server does). */
const RECENT_CHANGES = 1000;
/** How long a key-set request is held open upstream; a revocation answers it at once. */
const KEYS_WAIT_MS = 25_000;
const KEYS_RETRY_MAX_MS = 10_000;
/** A downstream key the relay does not know makes it ask upstream at most this often per link. */
const KEYS_REFRESH_MIN_MS = 1_000;
/** Presence is re-sent this often even without news, so the upstream keeps counting the relay's clients. */
export const PRESENCE_HEARTBEAT_MS = 2_000;
const PRESENCE_DEBOUNCE_MS = 50;
const CLIENT_NAME = 'signalbox-relay/0.1.0';
const ADOPT_ATTEMPTS_PER_SECOND = 5;
const TURNED_DOWN_MS = 60_000;

export type LinkState = 'connecting' | 'connected' | 'offline' | 'refused';

/** A snapshot of what the link holds, encoded once per sequence for every downstream reader. */
export interface EncodedSnapshot {
  sequence: number;
  config: EnvironmentConfig;
  json: string;
  etag: string;
  gzip: Buffer | undefined;
}

export interface LinkListener {
  /** Messages the link applied, in order; downstream clients get exactly these. */
  messages(messages: ServerMessage[]): void;
  /** Key hashes no longer valid upstream: their downstream connections must end. */
  keysRevoked(hashes: ReadonlySet<string>): void;
}

export interface LinkOptions {
  upstream: string;
  sdkKey: string;
  relayId: string;
  logger: RelayLogger;
  listener: LinkListener;
  /** Longest reconnection delay upstream (socket.io), default 5 s. */
  reconnectionDelayMaxMs?: number;
}

/**
 * One environment held for downstream SDKs: the relay connects upstream as one SDK (the SDK's own
 * socket transport and config store), keeps the recent changes for resumes, the environment's
 * key hashes for checking downstream keys, and reports its clients' acks upstream.
 */
export class UpstreamLink {
  ownKeyHash: string;
  /** The environment the upstream says this link's key belongs to (from the key set). */
  environmentId: string | undefined;
  private sdkKey: string;
  private readonly store = new ConfigStore();
  private readonly recent: ChangeMessage[] = [];
  private transport: Transport;
  private adopting: Promise<boolean> | undefined;
  private adoptWindowStart = 0;
  private adoptAttempts = 0;
  /** Candidate keys (by hash) the upstream turned down, until when they are not asked about again. */
  private readonly turnedDown = new Map<string, number>();
  /** Which key-watching loop is current (a rotation starts a new one). */
  private keysGeneration = 0;
  private readonly endpoints: ReturnType<typeof serverEndpoints>;
  /** The upstream's SDK API base (`…/api/v1/sdk`). */
  readonly base: string;
  private keyHashes = new Set<string>();
  private keysEtag: string | undefined;
  private keysKnown = false;
  private keysRefreshed = 0;
  private keysRequest: Promise<boolean> | undefined;
  private keysAbort = new AbortController();
  private keysRefused = false;
  private encoded: EncodedSnapshot | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private presenceHeartbeat: NodeJS.Timeout | undefined;
  private presence: (() => Record<string, number>) | undefined;
  private reporting = false;
  private reportAgain = false;
  private closed = false;
  state: LinkState = 'connecting';
  /** When the upstream was last heard from (epoch ms). */
  lastContactAt: number | undefined;

  constructor(private readonly options: LinkOptions) {
    this.sdkKey = options.sdkKey;
    this.ownKeyHash = hashSecret(options.sdkKey);
    this.endpoints = serverEndpoints(options.upstream);
    this.base = this.endpoints.configUrl.slice(0, -'/config'.length);
    this.transport = this.createTransport();
  }

  private createTransport(): Transport {
    return new SocketTransport(
      {
        endpoints: this.endpoints,
        sdkKey: this.sdkKey,
        clientName: CLIENT_NAME,
        reconnectionDelayMs: 250,
        reconnectionDelayMaxMs: this.options.reconnectionDelayMaxMs ?? 5_000,
      },
      {
        currentSequence: () => this.store.sequence,
        message: (message) => this.receive(message),
        connected: () => {
          this.state = 'connected';
          this.lastContactAt = Date.now();
          this.options.logger.info('connected upstream', { upstream: this.options.upstream, sequence: this.store.sequence });
          // Whatever was revoked while away is learnt now rather than at the end of the next wait.
          void this.refreshKeys(true);
        },
        contact: () => void (this.lastContactAt = Date.now()),
        disconnected: (reason) => {
          if (this.state === 'connected') this.options.logger.warn('upstream connection lost; serving the last config', { reason });
          if (this.state !== 'refused') this.state = 'offline';
        },
        refused: (refusal) => this.refuse(refusal),
        error: () => undefined,
      },
    );
  }

  /**
   * After the upstream refused this link's key (it was rotated), a downstream SDK presenting a key
   * the relay does not know may hold the new one: if the upstream accepts it for the same
   * environment, the link carries on with it from the sequence it holds, so a rotation needs no
   * relay restart. Keys the upstream turned down are remembered for a while, and at most a few
   * candidates a second are tried (`busy` beyond: the caller should retry).
   */
  async adopt(candidate: string): Promise<'adopted' | 'rejected' | 'busy'> {
    if (this.state !== 'refused' || this.closed || this.environmentId === undefined) return 'rejected';
    const hash = hashSecret(candidate);
    const now = Date.now();
    if ((this.turnedDown.get(hash) ?? 0) > now) return 'rejected';
    if (this.adopting) return (await this.adopting) && this.ownKeyHash === hash ? 'adopted' : this.adopt(candidate);
    if (now - this.adoptWindowStart >= 1_000) {
      this.adoptWindowStart = now;
      this.adoptAttempts = 0;
    }
    if (++this.adoptAttempts > ADOPT_ATTEMPTS_PER_SECOND) return 'busy';
    this.adopting = this.tryAdopt(candidate).finally(() => (this.adopting = undefined));
    if (await this.adopting) return 'adopted';
    if (this.turnedDown.size > 10_000) this.turnedDown.clear();
    this.turnedDown.set(hash, now + TURNED_DOWN_MS);
    return 'rejected';
  }

  private async tryAdopt(candidate: string): Promise<boolean> {
    try {
      const response = await fetch(`${this.base}/relay/keys`, {
        headers: { authorization: `Bearer ${candidate}`, 'x-signalbox-client': CLIENT_NAME },
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return false;
      }
      const body = (await response.json()) as { keyHashes?: unknown; environmentId?: unknown };
      if (body.environmentId !== this.environmentId || !Array.isArray(body.keyHashes) || this.closed || this.state !== 'refused') return false;
      this.sdkKey = candidate;
      this.ownKeyHash = hashSecret(candidate);
      this.keyHashes = new Set(body.keyHashes.filter((h): h is string => typeof h === 'string'));
      this.keysEtag = response.headers.get('etag') ?? undefined;
      this.keysRefused = false;
      this.keysAbort = new AbortController();
      this.state = 'connecting';
      this.options.logger.info('the environment key was rotated: carrying on with the new key a downstream SDK presented', {
        sequence: this.store.sequence,
      });
      this.transport.close();
      this.transport = this.createTransport();
      this.transport.start();
      void this.watchKeys();
      return true;
    } catch {
      return false;
    }
  }

  start(): void {
    this.transport.start();
    void this.watchKeys();
    this.presenceHeartbeat = setInterval(() => this.sendPresence(), PRESENCE_HEARTBEAT_MS);
    this.presenceHeartbeat.unref();
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.presenceHeartbeat);
    clearTimeout(this.presenceTimer);
    this.keysAbort.abort();
    this.transport.close();
    return Promise.resolve();
  }

  get sequence(): number {
    return this.store.sequence;
  }

  get hasConfig(): boolean {
    return this.store.compiled !== undefined;
  }

  get compiled(): CompiledEnvironment | undefined {
    return this.store.compiled;
  }

  /** The config as the server's snapshot endpoint serves it (undefined before the first one). */
  snapshot(): EncodedSnapshot | undefined {
    if (!this.hasConfig) return undefined;
    if (this.encoded?.sequence !== this.store.sequence) {
      const config = this.store.toConfig();
      const json = JSON.stringify(config);
      // As the server does: large snapshots gzipped once per sequence.
      this.encoded = {
        sequence: this.store.sequence,
        config,
        json,
        etag: `"${this.store.sequence}"`,
        gzip: Buffer.byteLength(json) < 1024 ? undefined : gzipSync(json),
      };
    }
    return this.encoded;
  }

  /** The changes after `sequence` when memory holds all of them, else undefined (a snapshot is due). */
  changesAfter(sequence: number): ChangeMessage[] | undefined {
    if (sequence === this.store.sequence) return [];
    if (sequence > this.store.sequence) return undefined;
    const first = this.recent[0];
    if (first === undefined || first.sequence > sequence + 1) return undefined;
    return this.recent.slice(sequence + 1 - first.sequence);
  }

  /** Whether the upstream counts this key hash as valid for this environment (as last heard). */
  hasKey(hash: string): boolean {
    return this.keyHashes.has(hash);
  }

  /** Whether the key set was ever fetched (until then no downstream key can be checked). */
  get keysKnownNow(): boolean {
    return this.keysKnown;
  }

  /**
   * Asks upstream for the key set now (a downstream key is unknown: it may be new), at most once
   * per KEYS_REFRESH_MIN_MS. Resolves to whether the set is current (false: upstream unreachable).
   */
  refreshKeys(force = false): Promise<boolean> {
    if (this.keysRefused) return Promise.resolve(true);
    if (this.keysRequest) return this.keysRequest;
    if (!force && Date.now() - this.keysRefreshed < KEYS_REFRESH_MIN_MS) return Promise.resolve(this.keysKnown);
    this.keysRequest = this.fetchKeys(0)
      .then((ok) => ok)
      .finally(() => (this.keysRequest = undefined));
    return this.keysRequest;
  }

  /** Registers what to report upstream as this environment's downstream acks (sequence → count). */
  reportPresenceFrom(histogram: () => Record<string, number>): void {
    this.presence = histogram;
  }

  /** Downstream acks changed: report them soon (coalesced). */
  presenceChanged(): void {
    if (this.presenceTimer || this.closed) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = undefined;
      this.sendPresence();
    }, PRESENCE_DEBOUNCE_MS);
  }

  private receive(message: ServerMessage): void {
    if (this.closed) return;
    this.lastContactAt = Date.now();
    const outcome = this.store.apply(message);
    if (outcome === 'gap' || outcome === 'invalid') return this.transport.requestResync();
    if (outcome !== 'applied') return;
    this.store.commit();
    if (message.type === 'snapshot') this.recent.length = 0;
    else {
      this.recent.push(message);
      if (this.recent.length > RECENT_CHANGES) this.recent.splice(0, this.recent.length - RECENT_CHANGES);
    }
    this.transport.acknowledge(this.store.sequence);
    try {
      this.options.listener.messages([message]);
    } catch (err) {
      this.options.logger.error('relaying a message downstream failed', { reason: reasonOf(err) });
    }
  }

  private refuse(refusal: RefusalMessage): void {
    if (this.state === 'refused') return;
    this.state = 'refused';
    this.options.logger.error('the upstream refused this SDK key; its downstream clients are refused too until an SDK presents the new key', {
      reason: refusal.message,
    });
    this.keysRefused = true;
    this.keysAbort.abort();
    this.transport.close();
    const revoked = new Set(this.keyHashes);
    revoked.add(this.ownKeyHash);
    this.turnedDown.set(this.ownKeyHash, Number.MAX_SAFE_INTEGER);
    this.keyHashes = new Set();
    this.options.listener.keysRevoked(revoked);
  }

  // Long-polls the key set: a revocation upstream answers at once; a failure retries with backoff.
  private async watchKeys(): Promise<void> {
    const generation = ++this.keysGeneration;
    let delay = 250;
    while (!this.closed && !this.keysRefused && generation === this.keysGeneration) {
      const ok = await this.fetchKeys(this.keysKnown ? KEYS_WAIT_MS : 0);
      if (ok) delay = 250;
      else {
        await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())).unref());
        delay = Math.min(delay * 2, KEYS_RETRY_MAX_MS);
      }
    }
  }

  private async fetchKeys(waitMs: number): Promise<boolean> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.sdkKey}`, 'x-signalbox-client': CLIENT_NAME };
    if (this.keysEtag && this.keysKnown) headers['if-none-match'] = this.keysEtag;
    const timeout = AbortSignal.timeout(waitMs + 10_000);
    try {
      const response = await fetch(`${this.base}/relay/keys?waitMs=${waitMs}`, { headers, signal: AbortSignal.any([timeout, this.keysAbort.signal]) });
      if (response.status === 304) {
        await response.body?.cancel();
        this.keysRefreshed = Date.now();
        return true;
      }
      if (response.status === 401 || response.status === 403) {
        const body = (await response.json().catch(() => ({}))) as { message?: string };
        this.refuse({ error: response.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', message: body.message ?? `upstream answered ${response.status}` });
        // The upstream answered: the set is known (none of this link's keys holds), so a key check
        // that ran into the rotation refuses the old key at once instead of asking the SDK to retry.
        return true;
      }
      if (!response.ok) {
        await response.body?.cancel();
        return false;
      }
      const body = (await response.json()) as { keyHashes?: unknown; environmentId?: unknown };
      if (typeof body.environmentId === 'string') this.environmentId = body.environmentId;
      if (!Array.isArray(body.keyHashes) || !body.keyHashes.every((h) => typeof h === 'string')) return false;
      const next = new Set(body.keyHashes as string[]);
      const revoked = new Set([...this.keyHashes].filter((hash) => !next.has(hash)));
      this.keyHashes = next;
      this.keysEtag = response.headers.get('etag') ?? undefined;
      this.keysKnown = true;
      this.keysRefreshed = Date.now();
      if (revoked.size > 0) this.options.listener.keysRevoked(revoked);
      return true;
    } catch (err) {
      if (!this.closed && !this.keysAbort.signal.aborted)
        this.options.logger.warn('could not read the key set upstream; keeping the last one', { reason: reasonOf(err) });
      return false;
    }
  }

  // One report in flight at a time, the histogram read when it leaves: reports then land in order
  // (two racing writes could leave an older histogram last), and a burst of acks costs one more.
  private sendPresence(): void {
    if (!this.presence || this.closed || this.keysRefused) return;
    if (this.reporting) {
      this.reportAgain = true;
      return;
    }
    this.reporting = true;
    const body = JSON.stringify({ relayId: this.options.relayId, acks: this.presence() });
    fetch(`${this.base}/relay/presence`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.sdkKey}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5_000),
    })
      .then(
        (response) => response.body?.cancel(),
        // Upstream away: the next heartbeat reports again; meanwhile the upstream stops counting these clients.
        () => undefined,
      )
      .finally(() => {
        this.reporting = false;
        if (!this.reportAgain) return;
        this.reportAgain = false;
        this.sendPresence();
      });
  }
}
