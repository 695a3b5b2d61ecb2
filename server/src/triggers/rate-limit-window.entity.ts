import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One rate limit's current fixed window, shared by every server instance on the database. */
@Entity('rate_limit_windows')
@Index('idx_rate_limit_windows_ends', ['windowEndsAt'])
export class RateLimitWindowEntity {
  /** The throttler's key: a hash of the route, the limit's name and who is counted (never a secret itself). */
  @PrimaryColumn({ type: 'varchar', length: 128 })
  key: string;

  @Column({ name: 'window_ends_at', type: 'timestamptz' })
  windowEndsAt: Date;

  @Column({ type: 'int' })
  hits: number;
}
