// The configuration model is the SDK's: one definition shared by server, SDK and console.
export { ATTRIBUTE_OPERATORS } from '../../../sdk/src/core/types';
export type {
  AttributeClause,
  AttributeOperator,
  Clause,
  ClauseValue,
  FlagKind,
  FlagValue,
  Prerequisite,
  Reason,
  Rollout,
  Rule,
  SegmentClause,
  SegmentRule,
  Serve,
  Target,
  Variant,
  WeightedVariant,
} from '../../../sdk/src/core/types';
import type { Prerequisite, Rule, Serve, Target, Variant } from '../../../sdk/src/core/types';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['CreateUserDto']['role'];

// The answers are the server's response DTOs, as the OpenAPI document describes them.

export type User = Schemas['UserResponse'];

/** Who the caller is; `role` is a token's access (kill-switch too) or `sdk` for an SDK key. */
export type Me = Schemas['MeResponse'];

export type EnvironmentView = Schemas['EnvironmentResponse'];

export type ProjectView = Schemas['ProjectResponse'];

export type KillRecord = Schemas['KillRecordResponse'];

/** What a console user edits in one environment. */
export interface EditableConfig {
  on: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  defaultRule: Serve | null;
  prerequisites: Prerequisite[];
}

/** A flag's config in one environment; `updatedAt` is null until it is first written (version 0). */
export type FlagConfigView = Schemas['FlagConfigResponse'];

// A variant value in the document is any JSON, looser than the SDK's FlagValue; variants keep the SDK's type.
export type FlagView = Omit<Schemas['FlagResponse'], 'variants'> & { variants: Variant[] };

export type SegmentView = Schemas['SegmentResponse'];

export type AuditEntry = Schemas['AuditEntryResponse'];

export type AuditPage = Schemas['AuditPageResponse'];

export type TokenAccess = Schemas['CreateTokenDto']['access'];

export type ApiToken = Schemas['TokenResponse'];

export type Delivery = Schemas['DeliveryStatusResponse'];

export type SegmentMembership = Schemas['SegmentExplanationResponse'];

export type RuleExplanation = Schemas['RuleExplanationResponse'];

export type DecisionStep = Schemas['ExplanationResponse']['decidedBy'];

export type Explanation = Schemas['ExplanationResponse'];

export type StaleReasonCode = Schemas['StaleReasonResponse']['code'];

export type StaleFlag = Schemas['StaleFlagResponse'];

export type StaleFlagsReport = Schemas['StaleFlagsReportResponse'];
