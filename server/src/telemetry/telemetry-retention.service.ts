import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { daysToPrepare, expiredPartitions } from './rollup-partitions.js';
import { TelemetryRepository } from './telemetry.repository.js';

const HOUR_MS = 3_600_000;
/** Advisory lock: one instance at a time creates and drops partitions (the others skip that pass). */
const PARTITIONS_LOCK_KEY = 7_262_031;

/**
 * Keeps the rollups' day partitions ahead of time (a week forward) and drops the days past
 * `SIGNALBOX_TELEMETRY_RETENTION_DAYS`: at start, then hourly. Dropping a day is a DROP TABLE, so
 * it is cheap and leaves nothing to vacuum, however many rows the day held.
 */
const FLUSH_IDS_KEPT_MS = 24 * 3_600_000;

@Injectable()
export class TelemetryRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly logger = new Logger('telemetry');

  constructor(
    private readonly repository: TelemetryRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const pass = () => {
      this.running ??= this.maintainNow(new Date())
        .catch((err: unknown) => this.logger.warn({ err }, 'could not prepare or drop telemetry partitions; trying again in an hour'))
        .finally(() => (this.running = undefined));
    };
    pass();
    this.timer = setInterval(pass, HOUR_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass, after the scheduled one if it is running: creates the partitions due, drops the expired. */
  async maintain(now = new Date()): Promise<{ dropped: string[] }> {
    await this.running;
    return this.maintainNow(now);
  }

  /** Answers what it dropped (nothing when another instance held the lock). */
  private async maintainNow(now: Date): Promise<{ dropped: string[] }> {
    const dropped: string[] = [];
    await this.repository.exclusivelyOrSkip(PARTITIONS_LOCK_KEY, async () => {
      await this.repository.ensurePartitions(daysToPrepare(now.getTime(), this.config.telemetryRetentionDays));
      // Writes are looked up by id only just after one failed (see TelemetryService.write): a day of them is plenty.
      await this.repository.forgetFlushes(new Date(now.getTime() - FLUSH_IDS_KEPT_MS));
      for (const name of expiredPartitions(await this.repository.partitions(), now.getTime(), this.config.telemetryRetentionDays)) {
        await this.repository.dropPartition(name);
        dropped.push(name);
      }
    });
    if (dropped.length > 0) this.logger.log({ dropped, retentionDays: this.config.telemetryRetentionDays }, 'dropped telemetry partitions past retention');
    return { dropped };
  }
}
