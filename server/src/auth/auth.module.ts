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
import { UserEntity } from './user.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, SessionEntity, ApiTokenEntity, SdkKeyEntity, LoginThrottleEntity]), AuditModule],
  controllers: [AuthController, UsersController, TokensController],
  providers: [AuthRepository, CredentialsService, LoginThrottleRepository, LoginThrottle, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, CredentialsService],
})
export class AuthModule {}
