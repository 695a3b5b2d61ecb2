import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TokenAccess } from './roles.js';

@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true })
  tokenHash: string;

  /** The first characters of the token, so people can tell tokens apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ type: 'varchar', length: 16 })
  access: TokenAccess;

  /** For `kill-switch` tokens: project keys it may act on; null = all. */
  @Column({ type: 'jsonb', nullable: true })
  projects: string[] | null;

  /** For `kill-switch` tokens: environment keys it may act on; null = all. */
  @Column({ type: 'jsonb', nullable: true })
  environments: string[] | null;

  @Column({ name: 'created_by', type: 'varchar', length: 254 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** After this moment the token is refused; null: valid until revoked. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** When the token last authenticated, written at most once a minute per token (see CredentialsService). */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
