import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Failed sign-ins counted for one account or one client address (see LoginThrottle). */
@Entity('login_throttles')
@Index('idx_login_throttles_last_failure', ['lastFailureAt'])
export class LoginThrottleEntity {
  /** SHA-256 of what is counted (`account:<email>` or `address:<ip or /64>`): no email or address in the clear. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ type: 'int' })
  failures: number;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  lastFailureAt: Date;

  /** Attempts before this moment are refused (429) without checking the password. */
  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil: Date | null;
}
