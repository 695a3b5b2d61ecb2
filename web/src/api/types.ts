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
import type { Clause, FlagKind, FlagValue, Prerequisite, Reason, Rule, SegmentRule, Serve, Target, Variant } from '../../../sdk/src/core/types';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['CreateUserDto']['role'];

// The responses below have no schema in the server's OpenAPI document yet (their routes declare no
// response type), so they are written by hand from the server's views; alias them to
// components['schemas'] once the server documents them.

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface Me {
  kind: string;
  name: string;
  role: Role;
  user?: User;
}

export interface EnvironmentView {
  key: string;
  name: string;
  requireChangeReason: boolean;
  sdkKeyPrefix?: string;
}

export interface ProjectView {
  key: string;
  name: string;
  description?: string;
  environments: EnvironmentView[];
}

export interface KillRecord {
  reason: string;
  by: string;
  at: string;
}

/** What a console user edits in one environment. */
export interface EditableConfig {
  on: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  defaultRule: Serve | null;
  prerequisites: Prerequisite[];
}

export interface FlagConfigView extends EditableConfig {
  environment: string;
  killed: boolean;
  kill: KillRecord | null;
  version: number;
  updatedAt: string;
}

export interface FlagView {
  key: string;
  name: string;
  description: string;
  owner: string | null;
  tags: string[];
  kind: FlagKind;
  variants: Variant[];
  lifecycle: 'temporary' | 'permanent';
  expiresAt: string | null;
  archived: boolean;
  archivedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  environments: Record<string, FlagConfigView>;
}

export interface SegmentView {
  key: string;
  name: string;
  description?: string;
  included: string[];
  excluded: string[];
  rules: SegmentRule[];
  version: number;
  updatedAt: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  action: string;
  resourceType: string;
  resourceKey: string;
  projectKey: string | null;
  environmentKey: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

export type TokenAccess = Schemas['CreateTokenDto']['access'];

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  access: TokenAccess;
  projects: string[] | null;
  environments: string[] | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Delivery {
  environment: string;
  sequence: number;
  connected: number;
  confirmed: number;
}

export interface SegmentMembership {
  segment: string;
  member: boolean;
  by: 'included' | 'excluded' | 'rule' | 'no-rule-matched';
  ruleIndex?: number;
}

export interface RuleExplanation {
  index: number;
  id?: string;
  description?: string;
  matched: boolean;
  failedClause?: { index: number; clause: Clause; attributeValue?: unknown; segments?: SegmentMembership[] };
}

export type DecisionStep =
  | 'FLAG_NOT_FOUND'
  | 'INVALID_CONFIG'
  | 'TYPE_MISMATCH'
  | 'KILLED'
  | 'DISABLED'
  | 'PREREQUISITES'
  | 'TARGETS'
  | 'RULE'
  | 'DEFAULT_RULE'
  | 'UNEXPECTED_ERROR';

export interface Explanation {
  flagKey: string;
  result: { value: FlagValue; variant?: string; reason: Reason; errorCode?: string; ruleIndex?: number };
  decidedBy: DecisionStep;
  ruleIndex?: number;
  prerequisites: { flag: string; requiredVariant: string; passed: boolean; servedVariant?: string; servedReason?: Reason }[];
  targetMatched?: boolean;
  rules: RuleExplanation[];
  rollout?: { bucketBy: string; unit?: string; bucket?: number; cumulativeWeights: number[] };
  sequence?: number;
}

export type StaleReasonCode = Schemas['StaleReasonResponse']['code'];

export type StaleFlag = Schemas['StaleFlagResponse'];

export type StaleFlagsReport = Schemas['StaleFlagsReportResponse'];
