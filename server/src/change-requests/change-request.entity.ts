import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { EditableFlagConfig } from '../flags/flag-config-change.js';

/**
 * `pending`: waiting for approvals; `approved`: has enough of them, waiting to be applied;
 * `rejected`: a reviewer said no (the author may rebase it back to pending); `applied`: written;
 * `cancelled`: withdrawn. (`conflict` is reserved for the console's contract; a stale request stays
 * pending/approved with `stale: true` until it is rebased.)
 */
export type ChangeRequestStatus = 'pending' | 'approved' | 'rejected' | 'applied' | 'cancelled' | 'conflict';

/**
 * `config`: a new config in one environment (with `runAt`: scheduled for then); `restore`: lift a kill
 * there; `archive`: archive the flag; `rollout-plan`: create and start a rollout plan there;
 * `segment`: update a segment that a gated environment's configs use (`segmentKey`, no flag).
 */
export type ChangeRequestKind = 'config' | 'restore' | 'archive' | 'rollout-plan' | 'segment';

/** Who made or reviewed a request: `key` (type and id) decides "the same person"; `email` is what people see. */
export interface ChangeRequestPerson {
  key: string;
  type: 'user' | 'token' | 'admin-token' | 'system' | 'trigger';
  id: string | null;
  email: string;
}

export interface ChangeRequestReview {
  user: ChangeRequestPerson;
  at: string;
  comment: string | null;
}

export interface ChangeRequestComment {
  id: string;
  user: ChangeRequestPerson;
  at: string;
  body: string;
}

/** A change to an environment that requires approval, held until enough others approve it. */
@Entity('change_requests')
@Index('uq_change_requests_number', ['projectId', 'number'], { unique: true })
@Index('idx_change_requests_status', ['projectId', 'status'])
export class ChangeRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  /** 1, 2, 3… in the project. */
  @Column({ type: 'int' })
  number: number;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  /** Null for a segment request. */
  @Column({ name: 'flag_key', type: 'varchar', length: 128, nullable: true })
  flagKey: string | null;

  /** For a segment request: the segment's key (else null). */
  @Column({ name: 'segment_key', type: 'varchar', length: 128, nullable: true })
  segmentKey: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: ChangeRequestKind;

  /** The config version (config, restore, rollout-plan), flag version (archive) or segment version (segment) it was made against. */
  @Column({ name: 'base_version', type: 'int' })
  baseVersion: number;

  /** `config`: the whole editable config it writes; `rollout-plan`: the plan body; `segment`: the segment update. */
  @Column({ type: 'jsonb', nullable: true })
  change: EditableFlagConfig | Record<string, unknown> | null;

  /** For `config`: when to write it (applying the request before then schedules it). */
  @Column({ name: 'run_at', type: 'timestamptz', nullable: true })
  runAt: Date | null;

  /** The scheduled change applying the request made (when it had a future `runAt`). */
  @Column({ name: 'scheduled_change_id', type: 'uuid', nullable: true })
  scheduledChangeId: string | null;

  /** The config view (segment view, for a segment request) at the base version, for the diff. */
  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'jsonb' })
  author: ChangeRequestPerson;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  reviewers: string[];

  @Column({ type: 'varchar', length: 16 })
  status: ChangeRequestStatus;

  @Column({ name: 'required_approvals', type: 'int' })
  requiredApprovals: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  approvals: ChangeRequestReview[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  rejections: ChangeRequestReview[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  comments: ChangeRequestComment[];

  @Column({ name: 'applied_at', type: 'timestamptz', nullable: true })
  appliedAt: Date | null;

  @Column({ name: 'applied_version', type: 'int', nullable: true })
  appliedVersion: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
