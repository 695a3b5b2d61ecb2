import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import { SecretBox, SecretBoxError } from '../../common/crypto/secret-box.js';
import { conflict, notFound, validationFailed } from '../../common/errors/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { Database } from '../../database/database.service.js';
import { AuthRepository } from '../auth.repository.js';
import type { Actor } from '../principal.js';
import type { UserEntity } from '../user.entity.js';
import { checkTotp, hashRecoveryCode, newRecoveryCode, newTotpSecret, RECOVERY_CODE_COUNT, totpUri } from './totp.js';
import { TwoFactorRepository } from './two-factor.repository.js';

/** Why a second factor given at sign-in was refused (audited as the sign-in's failure). */
export type SecondFactorFailure = 'wrong-code' | 'replayed-code' | 'wrong-recovery-code';

export interface TwoFactorStatus {
  enabled: boolean;
  /** SIGNALBOX_REQUIRE_TWO_FACTOR is on and this user signs in with a password. */
  required: boolean;
  recoveryCodesLeft: number;
}

// The seal is bound to the user: a sealed secret copied onto another user's row does not open.
const sealContext = (userId: string) => `totp:${userId}`;

/** TOTP enrolment, the check at sign-in, recovery codes and an admin's reset. */
@Injectable()
export class TwoFactorService implements OnApplicationBootstrap {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly repository: TwoFactorRepository,
    private readonly users: AuthRepository,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** After a key rotation (SIGNALBOX_SECRET_KEY_PREVIOUS), secrets sealed with the old key are sealed again with the new one. */
  async onApplicationBootstrap(): Promise<void> {
    let resealed = 0;
    let unreadable = 0;
    for (const user of await this.repository.usersWithSecret()) {
      if (this.box.sealedWithCurrentKey(user.totpSecretSealed!)) continue;
      try {
        const secret = this.box.open(user.totpSecretSealed!, sealContext(user.id));
        await this.repository.setSecret(user.id, this.box.seal(secret, sealContext(user.id)), user.totpEnabledAt, user.totpLastStep);
        resealed++;
      } catch (err) {
        if (!(err instanceof SecretBoxError)) throw err;
        unreadable++;
      }
    }
    if (resealed > 0) this.logger.log(`sealed ${resealed} TOTP secret(s) with the current key`);
    if (unreadable > 0) {
      this.logger.error(
        `${unreadable} user(s) have a TOTP secret sealed with an unknown key: set SIGNALBOX_SECRET_KEY_PREVIOUS to that key, or reset their second factor`,
      );
    }
  }

  requiredFor(user: Pick<UserEntity, 'totpEnabledAt' | 'oidcSubject'>): boolean {
    return this.config.requireTwoFactor && user.oidcSubject === null;
  }

  async status(userId: string): Promise<TwoFactorStatus> {
    const user = await this.user(userId);
    return {
      enabled: user.totpEnabledAt !== null,
      required: this.requiredFor(user),
      recoveryCodesLeft: user.totpEnabledAt ? await this.repository.countUnusedRecoveryCodes(userId) : 0,
    };
  }

  /** A new secret for the user to add to an authenticator app; it takes effect once `confirm` sees a code from it. */
  async begin(userId: string): Promise<{ secret: string; otpauthUri: string }> {
    const user = await this.user(userId);
    if (user.totpEnabledAt) throw conflict('Two-factor sign-in is already on; turn it off (or have an admin reset it) to enrol again');
    if (user.oidcSubject) throw conflict('You sign in through single sign-on: its provider asks for your second factor');
    const secret = newTotpSecret();
    await this.repository.setSecret(userId, this.box.seal(secret, sealContext(userId)), null, null);
    return { secret, otpauthUri: totpUri(secret, user.email) };
  }

  /** Turns the second factor on once the app shows the right code; returns the recovery codes, shown this once. */
  async confirm(actor: Actor, userId: string, code: string): Promise<{ recoveryCodes: string[] }> {
    return this.db.transaction(async () => {
      const user = await this.user(userId);
      if (user.totpEnabledAt) throw conflict('Two-factor sign-in is already on');
      if (!user.totpSecretSealed) throw conflict('Start the enrolment first: POST /api/v1/auth/two-factor/enrolment');
      const checked = await checkTotp(this.box.open(user.totpSecretSealed, sealContext(userId)), code, null);
      if (!checked.ok) throw validationFailed([{ field: 'code', reason: 'is not the code the authenticator app shows now' }]);
      const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      await this.repository.setSecret(userId, user.totpSecretSealed, new Date(), checked.step);
      await this.repository.replaceRecoveryCodes(userId, recoveryCodes.map(hashRecoveryCode));
      await this.audit.record({ actor, action: 'user.two_factor_enabled', resourceType: 'user', resourceKey: user.email, after: { twoFactor: true } });
      return { recoveryCodes };
    });
  }

  /** The user turns it off with a current code (not when SIGNALBOX_REQUIRE_TWO_FACTOR is on). */
  async disable(actor: Actor, userId: string, code: string): Promise<void> {
    const user = await this.user(userId);
    if (!user.totpEnabledAt) return;
    if (this.requiredFor(user)) throw conflict('Two-factor sign-in is required on this server (SIGNALBOX_REQUIRE_TWO_FACTOR)');
    if ((await this.verify(user, code, undefined)) !== null) throw validationFailed([{ field: 'code', reason: 'is wrong or was already used' }]);
    await this.clear(actor, user, 'user.two_factor_disabled');
  }

  /** An admin removes a user's second factor (a lost phone): the user signs in with the password alone, or enrols again. */
  async reset(actor: Actor, userId: string): Promise<void> {
    const user = await this.user(userId);
    if (!user.totpEnabledAt && !user.totpSecretSealed) return;
    await this.clear(actor, user, 'user.two_factor_reset');
  }

  /**
   * Checks the second factor of a user who has one: a TOTP code, accepted once (the step is
   * recorded atomically, so two instances cannot both accept it), or an unused recovery code.
   * Null when accepted.
   */
  async verify(user: UserEntity, code: string | undefined, recoveryCode: string | undefined): Promise<SecondFactorFailure | null> {
    if (recoveryCode !== undefined) {
      return (await this.repository.useRecoveryCode(user.id, hashRecoveryCode(recoveryCode))) ? null : 'wrong-recovery-code';
    }
    if (!user.totpSecretSealed || code === undefined) return 'wrong-code';
    const checked = await checkTotp(this.box.open(user.totpSecretSealed, sealContext(user.id)), code, user.totpLastStep);
    if (!checked.ok) return checked.failure;
    return (await this.repository.acceptStep(user.id, checked.step)) ? null : 'replayed-code';
  }

  private async clear(actor: Actor, user: UserEntity, action: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.repository.setSecret(user.id, null, null, null);
      await this.repository.replaceRecoveryCodes(user.id, []);
      await this.audit.record({ actor, action, resourceType: 'user', resourceKey: user.email, before: { twoFactor: true }, after: { twoFactor: false } });
    });
  }

  private async user(userId: string): Promise<UserEntity> {
    const user = await this.users.findUserById(userId);
    if (!user) throw notFound('User', userId);
    return user;
  }
}
