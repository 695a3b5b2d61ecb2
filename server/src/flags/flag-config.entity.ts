import type { Prerequisite, Rule, Serve, Target } from '@signalbox/sdk/core';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface KillRecord {
  reason: string;
  by: string;
  at: string;
}

/** A flag's config in one environment. No row yet means "off, version 0". */
@Entity('flag_configs')
export class FlagConfigEntity {
  @PrimaryColumn({ name: 'flag_id', type: 'uuid' })
  flagId: string;

  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ type: 'boolean', default: false })
  on: boolean;

  @Column({ type: 'jsonb', nullable: true })
  kill: KillRecord | null;

  @Column({ name: 'off_variant', type: 'varchar', length: 128, nullable: true })
  offVariant: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  targets: Target[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  rules: Rule[];

  @Column({ name: 'default_rule', type: 'jsonb', nullable: true })
  defaultRule: Serve | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  prerequisites: Prerequisite[];

  @Column({ type: 'int' })
  version: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
