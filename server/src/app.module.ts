import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ChangeRequestsModule } from './change-requests/change-requests.module.js';
import { ChangesModule } from './changes/changes.module.js';
import { CommonModule } from './common/common.module.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule, DatabaseTargetModule } from './database/database.module.js';
import { DemoModule } from './demo/demo.module.js';
import { ExperimentsModule } from './experiments/experiments.module.js';
import { EvaluationModule } from './evaluation/evaluation.module.js';
import { FlagsModule } from './flags/flags.module.js';
import { FlagsAsCodeModule } from './flags-as-code/flags-as-code.module.js';
import { HealthModule } from './health/health.module.js';
import { KillSwitchModule } from './kill-switch/kill-switch.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { SdkApiModule } from './sdk-api/sdk-api.module.js';
import { OfrepModule } from './ofrep/ofrep.module.js';
import { RelayUpstreamModule } from './relay-upstream/relay-upstream.module.js';
import { ProjectsModule } from './projects/projects.module.js';
import { ShadowReportsModule } from './shadow-reports/shadow-reports.module.js';
import { RolloutsModule } from './rollouts/rollouts.module.js';
import { ScheduledChangesModule } from './scheduled-changes/scheduled-changes.module.js';
import { SegmentsModule } from './segments/segments.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { TriggersModule } from './triggers/triggers.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        DatabaseTargetModule,
        DatabaseModule,
        AuditModule,
        AuthModule,
        ProjectsModule,
        ChangesModule,
        SegmentsModule,
        // Before FlagsModule: its GET flags/stale must be routed before flags/:key.
        LifecycleModule,
        FlagsModule,
        FlagsAsCodeModule,
        KillSwitchModule,
        TriggersModule,
        WebhooksModule,
        EvaluationModule,
        MetricsModule,
        TelemetryModule,
        ExperimentsModule,
        ShadowReportsModule,
        RolloutsModule,
        ScheduledChangesModule,
        ChangeRequestsModule,
        RealtimeModule,
        SdkApiModule,
        OfrepModule,
        RelayUpstreamModule,
        HealthModule,
        DemoModule,
      ],
    };
  }
}
