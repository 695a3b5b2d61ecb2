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
  /** Bumped when notifications may have been missed: loads begun before it are not cached. */
  private generation = 0;
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly flags: FlagsService,
    events: DomainEvents,
  ) {
    this.unsubscribe = [
      events.on('change.appended', ({ environmentId, sequence }) => {
        if (sequence > (this.newestSeen.get(environmentId) ?? 0)) this.newestSeen.set(environmentId, sequence);
        const cached = this.cache.get(environmentId);
        if (cached && cached.config.sequence < sequence) this.cache.delete(environmentId);
      }),
      // The LISTEN session was down: any entry may be missing changes other instances made meanwhile.
      events.on('changes.lost', () => {
        this.generation++;
        this.cache.clear();
      }),
    ];
  }

  onModuleDestroy(): void {
    this.unsubscribe.forEach((off) => off());
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
    const generation = this.generation;
    const config = await this.flags.environmentConfig(environmentId);
    if (!config) return null;
    const snapshot: Snapshot = { config, compiled: compileEnvironment(config), json: JSON.stringify(config), etag: `"${config.sequence}"` };
    if (generation === this.generation && config.sequence >= (this.newestSeen.get(environmentId) ?? 0)) this.cache.set(environmentId, snapshot);
    return snapshot;
  }
}
