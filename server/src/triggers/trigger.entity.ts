import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type TriggerAction = 'killed' | 'restored' | 'ignored';

/** A secret URL that kills (and optionally restores) one flag in one environment. Only the secret's hash is kept. */
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

  /** A "resolved" alert restores the flag; otherwise resolutions are acknowledged and ignored. */
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
