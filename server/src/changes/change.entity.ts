import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type ChangeKind = 'flag' | 'segment';

/** One entry of an environment's change log: the new state of one flag or segment, or a tombstone. */
@Entity('change_log')
export class ChangeEntity {
  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @PrimaryColumn({ type: 'bigint' })
  sequence: number;

  @Column({ type: 'varchar', length: 16 })
  kind: ChangeKind;

  @Column({ type: 'varchar', length: 128 })
  key: string;

  /** null = deleted (a tombstone). */
  @Column({ type: 'jsonb', nullable: true })
  payload: object | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** The newest sequence of each environment; its row lock orders concurrent writers. */
@Entity('change_log_heads')
export class ChangeLogHeadEntity {
  @PrimaryColumn({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ type: 'bigint' })
  sequence: number;
}
