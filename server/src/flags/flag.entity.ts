import type { FlagKind, Variant } from '@signalbox/sdk/core';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type Lifecycle = 'temporary' | 'permanent';

@Entity('flags')
@Index('uq_flags_project_key', ['projectId', 'key'], { unique: true })
export class FlagEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'varchar', length: 128 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  owner: string | null;

  @Index('idx_flags_tags', { synchronize: false })
  @Column({ type: 'jsonb', default: () => "'[]'" })
  tags: string[];

  @Column({ type: 'varchar', length: 16 })
  kind: FlagKind;

  @Column({ type: 'jsonb' })
  variants: Variant[];

  /** Variant a new environment config serves when off. */
  @Column({ name: 'default_off_variant', type: 'varchar', length: 128 })
  defaultOffVariant: string;

  /** Variant a new environment config serves when on (its default rule). */
  @Column({ name: 'default_on_variant', type: 'varchar', length: 128 })
  defaultOnVariant: string;

  @Column({ type: 'varchar', length: 16 })
  lifecycle: Lifecycle;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'varchar', length: 64 })
  salt: string;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;

  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
