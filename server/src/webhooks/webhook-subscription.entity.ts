import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Where to POST which events. The signing secret is stored sealed (see SecretBox): HMAC needs it back, a database copy must not reveal it. */
@Entity('webhook_subscriptions')
export class WebhookSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'jsonb' })
  events: string[];

  /** Only events of this project; null = every project. */
  @Column({ name: 'project_key', type: 'varchar', length: 128, nullable: true })
  projectKey: string | null;

  /** The signing secret encrypted with the server's key, bound to this subscription's id. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  @Column({ name: 'secret_prefix', type: 'varchar', length: 16 })
  secretPrefix: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Why it was disabled automatically (repeated failures), else null. */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @Column({ name: 'consecutive_failures', type: 'int', default: 0 })
  consecutiveFailures: number;

  @Column({ name: 'created_by', type: 'varchar', length: 254 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
