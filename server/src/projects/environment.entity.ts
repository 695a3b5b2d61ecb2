import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('environments')
@Index('uq_environments_project_key', ['projectId', 'key'], { unique: true })
export class EnvironmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'varchar', length: 128 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Changes in this environment must say why (production, typically). */
  @Column({ name: 'require_change_reason', type: 'boolean', default: false })
  requireChangeReason: boolean;

  /** Config changes, restores and archives here become change requests that others approve. */
  @Column({ name: 'require_approval', type: 'boolean', default: false })
  requireApproval: boolean;

  /** How many approvals a change request here needs (1..10). */
  @Column({ name: 'required_approvals', type: 'int', default: 1 })
  requiredApprovals: number;

  @Column({ type: 'int', default: 0 })
  position: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
