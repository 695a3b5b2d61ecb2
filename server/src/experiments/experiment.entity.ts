import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AnalysisMethod } from './experiment-analysis.js';

export interface ExperimentMetric {
  name: string;
  /** 'ratio': Σnumerator / Σdenominator over units the SDK reports in pairs (`trackRatio`), by the delta method. */
  type: 'rate' | 'mean' | 'ratio';
  /** Ratio metrics: the metric names of the pair's numerator and denominator. */
  numerator?: string;
  denominator?: string;
  /** Which way is better: 'increase' (accuracy, conversions) or 'decrease' (latency, error rate). */
  better: 'increase' | 'decrease';
}

export type ExperimentStatus = 'running' | 'closed';
/** 'stopped': closed without a decision; the flag stays as it was. */
export type ExperimentDecision = 'promoted' | 'rolled-back' | 'stopped';

/** An A/B(/n) test of a multivariate flag's variants in one environment. */
@Entity('experiments')
@Index('uq_experiments_key', ['projectId', 'key'], { unique: true })
@Index('idx_experiments_flag', ['environmentId', 'flagKey', 'status'])
export class ExperimentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ name: 'environment_id', type: 'uuid' })
  environmentId: string;

  @Column({ name: 'flag_key', type: 'varchar', length: 128 })
  flagKey: string;

  @Column({ type: 'varchar', length: 128 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'control_variant', type: 'varchar', length: 128 })
  controlVariant: string;

  @Column({ name: 'treatment_variants', type: 'jsonb' })
  treatmentVariants: string[];

  @Column({ name: 'primary_metric', type: 'jsonb' })
  primaryMetric: ExperimentMetric;

  @Column({ name: 'guardrail_metrics', type: 'jsonb' })
  guardrailMetrics: ExperimentMetric[];

  @Column({ type: 'double precision' })
  alpha: number;

  @Column({ type: 'double precision' })
  power: number;

  /** Absolute, in the metric's unit: a difference of proportions for a rate, of means for a mean. */
  @Column({ name: 'minimum_detectable_effect', type: 'double precision' })
  minimumDetectableEffect: number;

  /** Rates: the control rate assumed for the sample size; null = the observed control rate. */
  @Column({ name: 'baseline_rate', type: 'double precision', nullable: true })
  baselineRate: number | null;

  /** Means: the standard deviation assumed for the sample size; null = the observed pooled one. */
  @Column({ name: 'assumed_std_dev', type: 'double precision', nullable: true })
  assumedStdDev: number | null;

  /** Which figures decide; experiments created before sequential testing keep 'fixed-horizon'. */
  @Column({ type: 'varchar', length: 16 })
  analysis: AnalysisMethod;

  /** After this many hours the experiment concludes on its own; null = runs until decided. */
  @Column({ name: 'max_duration_hours', type: 'double precision', nullable: true })
  maxDurationHours: number | null;

  /** Roll back to control as soon as a guardrail is significantly worse. */
  @Column({ name: 'auto_rollback', type: 'boolean' })
  autoRollback: boolean;

  /** Also report the primary metric adjusted by CUPED, from the covariate the SDK sends with it (`track(..., { covariate })`). */
  @Column({ type: 'boolean' })
  cuped: boolean;

  /** Also analyse the primary metric per value of this context attribute (the SDK's `segmentBy`); null = overall only. */
  @Column({ name: 'segment_by', type: 'varchar', length: 64, nullable: true })
  segmentBy: string | null;

  /** Results come from the scoped totals (only batches after the start), not minute rollups. */
  @Column({ type: 'boolean' })
  attributed: boolean;

  @Column({ type: 'varchar', length: 16 })
  status: ExperimentStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  decision: ExperimentDecision | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  winner: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 254 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
