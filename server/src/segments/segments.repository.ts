import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';
import { SegmentEntity } from './segment.entity.js';

@Injectable()
export class SegmentsRepository {
  constructor(private readonly db: Database) {}

  private get segments() {
    return this.db.manager().getRepository(SegmentEntity);
  }

  list(projectId: string): Promise<SegmentEntity[]> {
    return this.segments.find({ where: { projectId }, order: { key: 'ASC' } });
  }
  find(projectId: string, key: string): Promise<SegmentEntity | null> {
    return this.segments.findOneBy({ projectId, key });
  }
  findForUpdate(projectId: string, key: string): Promise<SegmentEntity | null> {
    return this.segments.createQueryBuilder('s').setLock('pessimistic_write').where('s.project_id = :projectId AND s.key = :key', { projectId, key }).getOne();
  }
  save(segment: Partial<SegmentEntity>): Promise<SegmentEntity> {
    return this.segments.save(this.segments.create(segment));
  }
  async delete(id: string): Promise<void> {
    await this.segments.delete({ id });
  }
}
