import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { compileEnvironment, type CompiledEnvironment, type EnvironmentConfig } from '@signalbox/sdk/core';
import { DomainEvents } from '../common/events/domain-events.js';
import { FlagsService } from '../flags/flags.service.js';

/** What an environment serves now, in the forms its readers need, built once per change. */
export interface Snapshot {
  config: EnvironmentConfig;
  compiled: CompiledEnvironment;
  /** The config as JSON, so polling clients cost no serialisation. */
  json: string;
  /** Quoted sequence: a strong ETag. */
  etag: string;
}

/**
 * Per-environment snapshot cache. A committed change (local, or relayed from another instance)
 * drops the entry; a load that started before the change cannot re-insert stale data because
 * entries older than the newest sequence seen are never stored.
 */
@Injectable()
export class SnapshotsService implements OnModuleDestroy {
  private readonly cache = new Map<string, Snapshot>();
  private readonly loading = new Map<string, Promise<Snapshot | null>>();
  private readonly newestSeen = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly flags: FlagsService,
    events: DomainEvents,
  ) {
    this.unsubscribe = events.on('change.appended', ({ environmentId, sequence }) => {
      if (sequence > (this.newestSeen.get(environmentId) ?? 0)) this.newestSeen.set(environmentId, sequence);
      const cached = this.cache.get(environmentId);
      if (cached && cached.config.sequence < sequence) this.cache.delete(environmentId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The current snapshot of an environment, or null if it does not exist. */
  async current(environmentId: string): Promise<Snapshot | null> {
    const cached = this.cache.get(environmentId);
    if (cached) return cached;
    const inFlight = this.loading.get(environmentId);
    if (inFlight) return inFlight;
    const load = this.load(environmentId).finally(() => this.loading.delete(environmentId));
    this.loading.set(environmentId, load);
    return load;
  }

  private async load(environmentId: string): Promise<Snapshot | null> {
    const config = await this.flags.environmentConfig(environmentId);
    if (!config) return null;
    const snapshot: Snapshot = { config, compiled: compileEnvironment(config), json: JSON.stringify(config), etag: `"${config.sequence}"` };
    if (config.sequence >= (this.newestSeen.get(environmentId) ?? 0)) this.cache.set(environmentId, snapshot);
    return snapshot;
  }
}
