import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Request } from 'express';
import { AuditModule } from '../audit/audit.module.js';
import { hashSecret } from '../auth/secrets.js';
import { Database } from '../database/database.service.js';
import { FlagsModule } from '../flags/flags.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { DatabaseThrottlerStorage } from './database-throttler-storage.js';
import { RateLimitWindowEntity } from './rate-limit-window.entity.js';
import { TriggerEntity } from './trigger.entity.js';
import { TriggerHookController, TriggersController } from './triggers.controller.js';
import { TriggersRepository } from './triggers.repository.js';
import { TriggersService } from './triggers.service.js';

/** Per secret: an alerting tool re-sends every few minutes, a loop gone wrong hundreds of times a second. */
export const TRIGGER_CALLS_PER_MINUTE = 10;
/** Per client address, whatever the secret: guessing URLs is pointless, and this keeps it cheap too. */
export const CLIENT_CALLS_PER_MINUTE = 300;

@Module({
  imports: [
    TypeOrmModule.forFeature([TriggerEntity, RateLimitWindowEntity]),
    // Counted in the database: every instance behind a balancer enforces the same limits.
    ThrottlerModule.forRootAsync({
      inject: [Database],
      useFactory: (db: Database) => ({
        throttlers: [
          // Named 'default' so a refusal carries the standard Retry-After header (others get a suffix).
          { name: 'default', ttl: 60_000, limit: TRIGGER_CALLS_PER_MINUTE, getTracker: (req: Record<string, unknown>) => hashSecret(String((req as unknown as Request).params?.secret ?? '')) },
          { name: 'client', ttl: 60_000, limit: CLIENT_CALLS_PER_MINUTE },
        ],
        errorMessage: 'Too many calls to this trigger; try again in a minute',
        storage: new DatabaseThrottlerStorage(db),
      }),
    }),
    FlagsModule,
    ProjectsModule,
    AuditModule,
  ],
  controllers: [TriggersController, TriggerHookController],
  providers: [TriggersRepository, TriggersService],
  exports: [TriggersService],
})
export class TriggersModule {}
