import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Database } from '../database/database.service.js';
import { type TriggerAction, TriggerEntity } from './trigger.entity.js';

@Injectable()
export class TriggersRepository {
  constructor(private readonly db: Database) {}

  private get triggers() {
    return this.db.manager().getRepository(TriggerEntity);
  }

  listForFlag(projectId: string, flagKey: string, environmentId: string): Promise<TriggerEntity[]> {
    return this.triggers.find({ where: { projectId, flagKey, environmentId }, order: { createdAt: 'ASC' } });
  }

  findForFlag(id: string, projectId: string, flagKey: string, environmentId: string): Promise<TriggerEntity | null> {
    return this.triggers.findOneBy({ id, projectId, flagKey, environmentId });
  }

  /** The one lookup a call makes: by the hash of the presented secret, enabled triggers only. */
  findActiveBySecretHash(secretHash: string): Promise<TriggerEntity | null> {
    return this.triggers.findOneBy({ secretHash, disabledAt: IsNull() });
  }

  save(trigger: Partial<TriggerEntity>): Promise<TriggerEntity> {
    return this.triggers.save(this.triggers.create(trigger));
  }

  async recordFired(id: string, action: TriggerAction, at: Date): Promise<void> {
    await this.triggers
      .createQueryBuilder()
      .update()
      .set({ lastFiredAt: at, lastAction: action, fireCount: () => 'fire_count + 1' })
      .where('id = :id', { id })
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.triggers.delete({ id });
  }
}
