import { Foundation1763870400000 } from './1763870400000-foundation.js';
import { SdkPresence1763874000000 } from './1763874000000-sdk-presence.js';
import { FlagTriggers1763880000000 } from './1763880000000-flag-triggers.js';
import { Webhooks1763880100000 } from './1763880100000-webhooks.js';
import { Telemetry1763890000000 } from './1763890000000-telemetry.js';
import { Experiments1763900000000 } from './1763900000000-experiments.js';
import { RolloutPlans1763900100000 } from './1763900100000-rollout-plans.js';
import { WebhookSecretSealed1763910000000 } from './1763910000000-webhook-secret-sealed.js';
import { RateLimitWindows1763910100000 } from './1763910100000-rate-limit-windows.js';
import { TriggerCalls1763920000000 } from './1763920000000-trigger-calls.js';
import { LoginThrottles1763920100000 } from './1763920100000-login-throttles.js';
import { ExperimentAnalysis1763930000000 } from './1763930000000-experiment-analysis.js';
import { ExperimentLifecycle1763930100000 } from './1763930100000-experiment-lifecycle.js';
import { ScopedMetrics1763930200000 } from './1763930200000-scoped-metrics.js';
import { TokenExpiry1763930300000 } from './1763930300000-token-expiry.js';
import { TelemetryPartitions1763930400000 } from './1763930400000-telemetry-partitions.js';
import { ExperimentSegments1763930500000 } from './1763930500000-experiment-segments.js';
import { TriggerEffects1763930600000 } from './1763930600000-trigger-effects.js';
import { TwoFactor1763930700000 } from './1763930700000-two-factor.js';
import { OidcUsers1763930710000 } from './1763930710000-oidc-users.js';
import { ScheduledChanges1763930800000 } from './1763930800000-scheduled-changes.js';
import { ChangeRequests1763930900000 } from './1763930900000-change-requests.js';
import { ChangeRequestKinds1763931000000 } from './1763931000000-change-request-kinds.js';
import { DeletedFlags1764864000000 } from './1764864000000-deleted-flags.js';
import { TelemetryFlushes1764950400000 } from './1764950400000-telemetry-flushes.js';

// Every migration, oldest first. Listed as classes: the server is ESM and loads no globs.
export const migrations = [
  Foundation1763870400000,
  SdkPresence1763874000000,
  FlagTriggers1763880000000,
  Webhooks1763880100000,
  Telemetry1763890000000,
  Experiments1763900000000,
  RolloutPlans1763900100000,
  WebhookSecretSealed1763910000000,
  RateLimitWindows1763910100000,
  TriggerCalls1763920000000,
  LoginThrottles1763920100000,
  ExperimentAnalysis1763930000000,
  ExperimentLifecycle1763930100000,
  ScopedMetrics1763930200000,
  TokenExpiry1763930300000,
  TelemetryPartitions1763930400000,
  ExperimentSegments1763930500000,
  TriggerEffects1763930600000,
  TwoFactor1763930700000,
  OidcUsers1763930710000,
  ScheduledChanges1763930800000,
  ChangeRequests1763930900000,
  ChangeRequestKinds1763931000000,
  DeletedFlags1764864000000,
  TelemetryFlushes1764950400000,
];
