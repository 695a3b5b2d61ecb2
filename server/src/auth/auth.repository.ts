import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { Database } from '../database/database.service.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { SdkKeyEntity } from './sdk-key.entity.js';
import { SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/** Storage of users and every kind of credential. */
@Injectable()
export class AuthRepository {
  constructor(private readonly db: Database) {}

  private get users() {
    return this.db.manager().getRepository(UserEntity);
  }
  private get sessions() {
    return this.db.manager().getRepository(SessionEntity);
  }
  private get tokens() {
    return this.db.manager().getRepository(ApiTokenEntity);
  }
  private get sdkKeys() {
    return this.db.manager().getRepository(SdkKeyEntity);
  }

  countUsers(): Promise<number> {
    return this.users.count();
  }
  listUsers(): Promise<UserEntity[]> {
    return this.users.find({ order: { createdAt: 'ASC' } });
  }
  findUserById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }
  findUserByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }
  findUserByOidcSubject(oidcSubject: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ oidcSubject });
  }
  saveUser(user: Partial<UserEntity>): Promise<UserEntity> {
    return this.users.save(this.users.create(user));
  }

  insertSession(session: Pick<SessionEntity, 'userId' | 'tokenHash' | 'expiresAt'>): Promise<SessionEntity> {
    return this.sessions.save(this.sessions.create(session));
  }
  findSessionByHash(tokenHash: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ tokenHash });
  }
  async deleteSessionByHash(tokenHash: string): Promise<void> {
    await this.sessions.delete({ tokenHash });
  }
  async deleteSessionsOfUser(userId: string): Promise<void> {
    await this.sessions.delete({ userId });
  }

  insertToken(token: Omit<ApiTokenEntity, 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt'>): Promise<ApiTokenEntity> {
    return this.tokens.save(this.tokens.create(token));
  }
  listTokens(): Promise<ApiTokenEntity[]> {
    return this.tokens.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }
  findTokenById(id: string): Promise<ApiTokenEntity | null> {
    return this.tokens.findOneBy({ id });
  }
  findActiveTokenByHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash, revokedAt: IsNull() });
  }
  async revokeToken(id: string): Promise<void> {
    await this.tokens.update({ id }, { revokedAt: new Date() });
  }
  /** Sets last_used_at unless it is already at or after `notBefore`, so instances sharing a token write once per interval between them. */
  async touchToken(id: string, at: Date, notBefore: Date): Promise<void> {
    await this.tokens
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: at })
      .where('id = :id', { id })
      .andWhere('(last_used_at IS NULL OR last_used_at < :notBefore)', { notBefore })
      .execute();
  }

  insertSdkKey(key: Pick<SdkKeyEntity, 'environmentId' | 'keyHash' | 'prefix'>): Promise<SdkKeyEntity> {
    return this.sdkKeys.save(this.sdkKeys.create(key));
  }
  findActiveSdkKeyByHash(keyHash: string): Promise<SdkKeyEntity | null> {
    return this.sdkKeys.findOneBy({ keyHash, revokedAt: IsNull() });
  }
  findActiveSdkKey(environmentId: string): Promise<SdkKeyEntity | null> {
    return this.sdkKeys.findOneBy({ environmentId, revokedAt: IsNull() });
  }
  /** Returns the ids of the keys revoked. */
  /** Which of these SDK keys are still active. */
  async activeSdkKeyIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const active = await this.sdkKeys.findBy({ id: In(ids), revokedAt: IsNull() });
    return new Set(active.map((k) => k.id));
  }

  async revokeSdkKeys(environmentId: string): Promise<string[]> {
    const active = await this.sdkKeys.findBy({ environmentId, revokedAt: IsNull() });
    if (active.length > 0)
      await this.sdkKeys.update(
        active.map((k) => k.id),
        { revokedAt: new Date() },
      );
    return active.map((k) => k.id);
  }
}
