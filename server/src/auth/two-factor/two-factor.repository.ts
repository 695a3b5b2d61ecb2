import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Database } from '../../database/database.service.js';
import { RecoveryCodeEntity } from '../recovery-code.entity.js';
import { UserEntity } from '../user.entity.js';

/** Storage of users' second factor: the sealed TOTP secret, its last accepted step and the recovery codes. */
@Injectable()
export class TwoFactorRepository {
  constructor(private readonly db: Database) {}

  private get users() {
    return this.db.manager().getRepository(UserEntity);
  }
  private get codes() {
    return this.db.manager().getRepository(RecoveryCodeEntity);
  }

  async setSecret(userId: string, sealed: string | null, enabledAt: Date | null, lastStep: number | null): Promise<void> {
    await this.users.update({ id: userId }, { totpSecretSealed: sealed, totpEnabledAt: enabledAt, totpLastStep: lastStep });
  }

  /**
   * Records `step` as the last accepted one unless a code of that step or later was accepted
   * meanwhile (on any instance): true when this call accepted it.
   */
  async acceptStep(userId: string, step: number): Promise<boolean> {
    const result = await this.users
      .createQueryBuilder()
      .update()
      .set({ totpLastStep: step })
      .where('id = :userId', { userId })
      .andWhere('(totp_last_step IS NULL OR totp_last_step < :step)', { step })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async replaceRecoveryCodes(userId: string, hashes: string[]): Promise<void> {
    await this.codes.delete({ userId });
    if (hashes.length > 0) await this.codes.insert(hashes.map((codeHash) => ({ userId, codeHash, usedAt: null })));
  }

  /** Marks an unused code used: true for the one caller that did (a code works once, also when sent twice at once). */
  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const result = await this.codes.update({ userId, codeHash, usedAt: IsNull() }, { usedAt: new Date() });
    return (result.affected ?? 0) >= 1;
  }

  countUnusedRecoveryCodes(userId: string): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  /** Users whose TOTP secret is stored (enabled or pending). */
  usersWithSecret(): Promise<UserEntity[]> {
    return this.users.createQueryBuilder('u').where('u.totp_secret_sealed IS NOT NULL').getMany();
  }
}
