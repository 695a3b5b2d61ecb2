import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A one-time recovery code for the second factor: only its SHA-256 is stored. */
@Entity('user_recovery_codes')
export class RecoveryCodeEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_user_recovery_codes' })
  id: string;

  @Index('idx_user_recovery_codes_user')
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
