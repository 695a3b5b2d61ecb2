import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { AuthController, TokensController, UsersController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { CredentialsService } from './credentials.service.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginThrottleEntity } from './login-throttle.entity.js';
import { LoginThrottleRepository } from './login-throttle.repository.js';
import { SdkKeyEntity } from './sdk-key.entity.js';
import { SessionEntity } from './session.entity.js';
import { OidcClient } from './oidc/oidc-client.js';
import { OidcSignIn } from './oidc/oidc-sign-in.js';
import { OidcController } from './oidc/oidc.controller.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { TwoFactorController } from './two-factor/two-factor.controller.js';
import { TwoFactorRepository } from './two-factor/two-factor.repository.js';
import { TwoFactorService } from './two-factor/two-factor.service.js';
import { UserEntity } from './user.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, SessionEntity, ApiTokenEntity, SdkKeyEntity, LoginThrottleEntity, RecoveryCodeEntity]), AuditModule],
  controllers: [AuthController, UsersController, TokensController, TwoFactorController, OidcController],
  providers: [
    AuthRepository,
    CredentialsService,
    LoginThrottleRepository,
    LoginThrottle,
    TwoFactorRepository,
    TwoFactorService,
    OidcClient,
    OidcSignIn,
    AuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, CredentialsService],
})
export class AuthModule {}
