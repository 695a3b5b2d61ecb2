import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ACTOR_TYPES = ['user', 'token', 'admin-token', 'system', 'trigger'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const AUDIT_RESOURCE_TYPES = ['project', 'environment', 'flag', 'segment', 'user', 'token', 'sdk-key', 'trigger', 'webhook'] as const;
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];

/** Append-only: a trigger in the migration rejects UPDATE and DELETE. */
@Entity('audit_log')
@Index('idx_audit_project_at', ['projectKey', 'at'])
@Index('idx_audit_resource', ['resourceType', 'resourceKey', 'at'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: number;

  @Index('idx_audit_at')
  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: ActorType;

  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId: string | null;

  @Index('idx_audit_actor')
  @Column({ name: 'actor_name', type: 'varchar', length: 254 })
  actorName: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 32 })
  resourceType: AuditResourceType;

  @Column({ name: 'resource_key', type: 'varchar', length: 128 })
  resourceKey: string;

  @Column({ name: 'project_key', type: 'varchar', length: 128, nullable: true })
  projectKey: string | null;

  @Column({ name: 'environment_key', type: 'varchar', length: 128, nullable: true })
  environmentKey: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: object | null;

  @Column({ type: 'jsonb', nullable: true })
  after: object | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId: string | null;
}
