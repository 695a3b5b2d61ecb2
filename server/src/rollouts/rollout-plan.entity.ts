import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface RolloutStage {
  /** Candidate share of the default rule's traffic, 0 < percent ≤ 100; the last stage is 100. */
  percent: number;
  minDurationMinutes: number;
  /** Candidate observations (of the guards' error metric) the stage needs before advancing. */
  minSamples: number;
}

export interface MetricBound {
  metric: string;
  stat: 'mean' | 'p50' | 'p95' | 'p99' | 'errorRate';
  min?: number;
  max?: number;
}

/** How a guard metric was set: named in the request, chosen from what the flag reported, or the default for a flag with nothing reported. */
export type MetricSource = 'request' | 'reported' | 'fallback';

export interface GuardMetricSources {
  errorMetric: MetricSource;
  latencyMetric: MetricSource;
}

export interface RolloutGuards {
  /** Carries the sample counts and error counts (when not named: chosen from the flag's reported metrics, see guard-metrics.ts). */
  errorMetric: string;
  /** Candidate error rate ≤ this × control error rate + `errorRateAllowance`. */
  maxErrorRateRatio: number;
  errorRateAllowance: number;
  latencyMetric: string;
  /** Candidate p95 ≤ this × control p95, unless the difference is below `minLatencyIncreaseMs`. */
  maxLatencyRatio: number;
  minLatencyIncreaseMs: number;
  bounds: MetricBound[];
  /** Guards judge only once candidate and control have this many observations in the stage window. */
  minSamples: number;
  /** How far back the control baseline is looked for before the first stage. */
  baselineMinutes: number;
  /** Absent on plans created before metrics were chosen: read as 'request' (never re-chosen). */
  metricSource?: GuardMetricSources;
}

export type RolloutStatus = 'waiting-for-baseline' | 'running' | 'paused' | 'completed' | 'rolled-back' | 'aborted';

export interface RolloutHistoryEntry {
  at: string;
  event: 'created' | 'started' | 'advanced' | 'completed' | 'paused' | 'resumed' | 'rolled-back' | 'aborted';
  stage: number;
  percent: number;
  actor: string;
  reason?: string;
}

/** A staged rollout of a candidate variant against control, on one flag in one environment. */
@Entity('rollout_plans')
@Index('idx_rollout_plans_flag', ['environmentId', 'flagKey', 'status'])
@Index('idx_rollout_plans_status', ['status'])
export class RolloutPlanEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  @Column({ name: 'candidate_variant', type: 'varchar', length: 128 })
  candidateVariant: string;

  @Column({ name: 'control_variant', type: 'varchar', length: 128 })
  controlVariant: string;

  @Column({ name: 'bucket_by', type: 'varchar', length: 128, nullable: true })
  bucketBy: string | null;

  @Column({ type: 'jsonb' })
  stages: RolloutStage[];

  @Column({ type: 'jsonb' })
  guards: RolloutGuards;

  @Column({ type: 'varchar', length: 24 })
  status: RolloutStatus;

  /** Index of the stage being served; -1 before the first. */
  @Column({ name: 'current_stage', type: 'int' })
  currentStage: number;

  @Column({ name: 'stage_started_at', type: 'timestamptz', nullable: true })
  stageStartedAt: Date | null;

  /** Stage metrics come from the scoped totals (only batches after the stage started), not minute rollups. */
  @Column({ type: 'boolean' })
  attributed: boolean;

  /** Why it rolled back, was aborted, or is waiting. */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The metrics the rollback decision saw. */
  @Column({ type: 'jsonb', nullable: true })
  snapshot: Record<string, unknown> | null;

  @Column({ type: 'jsonb' })
  history: RolloutHistoryEntry[];

  @Column({ name: 'created_by', type: 'varchar', length: 254 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
