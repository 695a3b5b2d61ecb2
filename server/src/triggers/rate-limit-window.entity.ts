import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One rate limit's sliding window (this window's hits and the last one's), shared by every server instance on the database. */
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

  /** The window before `windowEndsAt - ttl`: weighted by how much of it the sliding window still covers. */
  @Column({ name: 'previous_hits', type: 'int', default: 0 })
  previousHits: number;
}
