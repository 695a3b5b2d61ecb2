import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('sdk_keys')
export class SdkKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_sdk_keys_environment')
  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ name: 'key_hash', type: 'varchar', length: 64, unique: true })
  keyHash: string;

  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
