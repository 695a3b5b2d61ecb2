import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { FlagConfigPatch } from '../flags/flag-config.mapper.js';

/**
 * `scheduled`: waiting for its time; `applied`: written as a new config version; `conflict`: the
 * config moved past its base version, so it was not applied; `failed`: refused for another reason
 * (the flag was archived, a variant or segment it names is gone); `cancelled`: by hand.
 */
export type ScheduledChangeStatus = 'scheduled' | 'applied' | 'conflict' | 'failed' | 'cancelled';

/** `replace`: the whole config (what PUT takes); `patch`: some fields (what PATCH takes: absent = unchanged, null = cleared). */
export type ScheduledChangeKind = 'replace' | 'patch';

/** The config fields a scheduled change carries, in the PUT/PATCH request shape (without version and reason). */
export type ScheduledConfig = FlagConfigPatch;

export interface ScheduledChangeAuthor {
  type: 'user' | 'token' | 'admin-token' | 'system' | 'trigger';
  id: string | null;
  name: string;
}

export interface ScheduledChangeFailure {
  code: string;
  message: string;
  /** The config's version when the change was due (a conflict's moved base). */
  currentVersion?: number;
}

/** A config change of one flag in one environment, to be written at `runAt` if the config is still at `baseVersion`. */
@Entity('scheduled_changes')
@Index('idx_scheduled_changes_flag', ['environmentId', 'flagKey', 'status'])
@Index('idx_scheduled_changes_due', ['status', 'runAt'])
export class ScheduledChangeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ScheduledChangeKind;

  @Column({ type: 'jsonb' })
  config: ScheduledConfig;

  @Column({ name: 'base_version', type: 'int' })
  baseVersion: number;

  @Column({ name: 'run_at', type: 'timestamptz' })
  runAt: Date;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: ScheduledChangeStatus;

  @Column({ type: 'jsonb' })
  author: ScheduledChangeAuthor;

  @Column({ type: 'jsonb', nullable: true })
  failure: ScheduledChangeFailure | null;

  @Column({ name: 'applied_version', type: 'int', nullable: true })
  appliedVersion: number | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
