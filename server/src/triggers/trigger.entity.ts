import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TriggerEffect, TriggerOutcome } from './trigger-effect.js';

/** What a call did: kept as the trigger's last action. */
export type TriggerAction = TriggerOutcome;

/** A secret URL that changes one flag in one environment in the one way chosen at creation. Only the secret's hash is kept. */
@Entity('flag_triggers')
@Index('idx_flag_triggers_flag', ['projectId', 'flagKey', 'environmentId'])
export class TriggerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  /** SHA-256 of the secret in the URL: the one indexed lookup a call makes. */
  @Index('uq_flag_triggers_secret_hash', { unique: true })
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @Column({ name: 'secret_prefix', type: 'varchar', length: 16 })
  secretPrefix: string;

  /** What a firing alert does (kill, turn on/off, serve a variant, set a rollout, pause/resume/abort the rollout plan). */
  @Column({ type: 'jsonb' })
  effect: TriggerEffect;

  /** A "resolved" alert undoes the effect (a kill is restored, ...); otherwise resolutions are acknowledged and ignored. */
  @Column({ name: 'restore_on_resolve', type: 'boolean', default: false })
  restoreOnResolve: boolean;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 254 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'last_fired_at', type: 'timestamptz', nullable: true })
  lastFiredAt: Date | null;

  @Column({ name: 'last_action', type: 'varchar', length: 16, nullable: true })
  lastAction: TriggerAction | null;

  @Column({ name: 'fire_count', type: 'int', default: 0 })
  fireCount: number;
}
