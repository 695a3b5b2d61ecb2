import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A connected SDK (socket.io or SSE) on some server instance, with the newest sequence it confirmed. */
@Entity('sdk_connections')
@Index('idx_sdk_connections_environment', ['environmentId', 'lastSeenAt'])
export class SdkConnectionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Index('idx_sdk_connections_instance')
  @Column({ name: 'instance_id', type: 'varchar', length: 64 })
  instanceId: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ type: 'varchar', length: 16 })
  transport: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  client: string | null;

  @CreateDateColumn({ name: 'connected_at', type: 'timestamptz' })
  connectedAt: Date;

  @Column({ name: 'acked_sequence', type: 'bigint', default: 0 })
  ackedSequence: number;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;
}
