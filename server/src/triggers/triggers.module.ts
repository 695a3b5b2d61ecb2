import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { Database } from '../database/database.service.js';
import { FlagsModule } from '../flags/flags.module.js';
import { KillSwitchModule } from '../kill-switch/kill-switch.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { RolloutsModule } from '../rollouts/rollouts.module.js';
import { DatabaseThrottlerStorage } from './database-throttler-storage.js';
import { RateLimitWindowEntity } from './rate-limit-window.entity.js';
import { TriggerCallEntity } from './trigger-call.entity.js';
import { triggerBody } from './trigger-body.middleware.js';
import { TriggerCallLimit } from './trigger-call-limit.js';
import { TriggerEventEntity } from './trigger-event.entity.js';
import { TriggerEntity } from './trigger.entity.js';
import { TriggerHookController, TriggersController } from './triggers.controller.js';
import { TriggersRepository } from './triggers.repository.js';
import { TriggersService } from './triggers.service.js';

/**
 * Per client address, whatever the URL: guessing URLs is pointless, and this keeps it cheap too.
 * (The per-trigger limit is TRIGGER_CALLS_PER_MINUTE, checked once the secret is known to be good.)
 */
export const CLIENT_CALLS_PER_MINUTE = 300;

@Module({
  imports: [
    TypeOrmModule.forFeature([TriggerEntity, TriggerCallEntity, TriggerEventEntity, RateLimitWindowEntity]),
    // Counted in the database: every instance behind a balancer enforces the same limits.
    ThrottlerModule.forRootAsync({
      inject: [Database],
      useFactory: (db: Database) => ({
        // Named 'default' so a refusal carries the standard Retry-After header (others get a suffix).
        throttlers: [{ name: 'default', ttl: 60_000, limit: CLIENT_CALLS_PER_MINUTE }],
        errorMessage: 'Too many trigger calls from this address; try again in a minute',
        storage: new DatabaseThrottlerStorage(db),
      }),
    }),
    FlagsModule,
    KillSwitchModule,
    ProjectsModule,
    RolloutsModule,
    AuditModule,
  ],
  controllers: [TriggersController, TriggerHookController],
  providers: [TriggersRepository, TriggerCallLimit, TriggersService],
  exports: [TriggersService],
})
export class TriggersModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(triggerBody).forRoutes({ path: 'triggers/:secret', method: RequestMethod.POST });
  }
}
