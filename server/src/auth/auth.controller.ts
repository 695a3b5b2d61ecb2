import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorResponse } from '../common/errors/error-response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { OIDC_START_PATH } from '../config/auth-config.js';
import { Access, CurrentPrincipal, OpenBeforeSecondFactor } from './access.decorator.js';
import { SESSION_COOKIE } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { CreateTokenDto, CreateUserDto, LoginDto, UpdateUserDto } from './dto/auth.dto.js';
import {
  CreatedUserResponse,
  IssuedTokenResponse,
  MeResponse,
  SessionResponse,
  SignInOptionsResponse,
  TokenResponse,
  UserResponse,
} from './dto/auth.response.js';
import { OidcClient } from './oidc/oidc-client.js';
import { actorOf, type Principal } from './principal.js';
import { TwoFactorService } from './two-factor/two-factor.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly oidc: OidcClient,
  ) {}

  @Get('sign-in-options')
  @Access('public')
  @ApiOperation({ summary: 'How the sign-in page may sign in besides email and password (an OIDC provider)' })
  @ApiOkResponse({ type: SignInOptionsResponse })
  signInOptions(): SignInOptionsResponse {
    return { oidcProvider: this.oidc.settings?.name ?? null, oidcStartPath: OIDC_START_PATH };
  }

  @Post('login')
  @HttpCode(200)
  @Access('public')
  @ApiOperation({ summary: 'Sign in with email and password: sets a session cookie and returns the same token for bearer use' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiErrors(400, {
    status: 401,
    description:
      'UNAUTHENTICATED: unknown email, wrong password or a disabled user (one answer for all three); or, with details.secondFactor, ' +
      'the user has two-factor sign-in and the code is missing, wrong or already used',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponse,
    description:
      'Too many failed sign-ins for this account (5 free) or from this address (20 free): wait Retry-After seconds (also ' +
      'details.retryAfterSeconds); the password was not checked',
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  })
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SessionResponse> {
    // req.ip: the connecting address, or the client's as told by the proxies SIGNALBOX_TRUST_PROXY names.
    // A RATE_LIMITED refusal gets its Retry-After from the shared error mapping (common/errors).
    const session = await this.auth.login(body.email, body.password, req.ip, { code: body.code, recoveryCode: body.recoveryCode });
    res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure: req.secure, expires: session.expiresAt, path: '/' });
    return { token: session.token, expiresAt: session.expiresAt.toISOString(), user: session.user };
  }

  @Post('logout')
  @HttpCode(204)
  @Access('viewer')
  @OpenBeforeSecondFactor()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End the session: its token stops working and the cookie is cleared' })
  @ApiNoContentResponse()
  @ApiErrors(401, 403)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const header = req.header('authorization');
    const token = header?.replace(/^Bearer\s+/i, '') ?? (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (token) await this.auth.logout(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @Access('viewer')
  @OpenBeforeSecondFactor()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the caller is' })
  @ApiOkResponse({ type: MeResponse })
  @ApiErrors(401, 403)
  async me(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    switch (principal.kind) {
      case 'user':
        return {
          kind: 'user',
          name: principal.name,
          role: principal.role,
          user: await this.auth.me(principal.id),
          secondFactorPending: principal.secondFactorPending === true,
        };
      case 'token':
        return { kind: 'token', name: principal.name, role: principal.access };
      case 'admin-token':
        return { kind: 'admin-token', name: principal.name, role: 'admin' };
      case 'sdk':
        return { kind: 'sdk', name: 'sdk', role: 'sdk' };
    }
  }
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly auth: AuthService,
    private readonly twoFactor: TwoFactorService,
  ) {}

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'Every user' })
  @ApiOkResponse({ type: [UserResponse] })
  @ApiErrors(401, 403)
  list(): Promise<UserResponse[]> {
    return this.auth.listUsers();
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create a user; a generated password is returned once' })
  @ApiCreatedResponse({ type: CreatedUserResponse })
  @ApiErrors(400, 401, 403, { status: 409, description: 'CONFLICT: a user with this email exists' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateUserDto): Promise<CreatedUserResponse> {
    return this.auth.createUser(actorOf(principal), body);
  }

  @Patch(':id')
  @Access('admin')
  @ApiOperation({ summary: 'Change role, name, password or disabled (absent = unchanged); admins cannot demote or disable themselves' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateUserDto): Promise<UserResponse> {
    return this.auth.updateUser(actorOf(principal), id, body);
  }

  @Delete(':id/two-factor')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: "Reset a user's second factor (a lost phone): they sign in with the password alone, or enrol again; audited" })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  resetTwoFactor(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.twoFactor.reset(actorOf(principal), id);
  }
}

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('tokens')
export class TokensController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'Every API token that is not revoked' })
  @ApiOkResponse({ type: [TokenResponse] })
  @ApiErrors(401, 403)
  list(): Promise<TokenResponse[]> {
    return this.auth.listTokens();
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create an API token; the secret is returned once and stored only as a hash' })
  @ApiCreatedResponse({ type: IssuedTokenResponse })
  @ApiErrors(400, 401, 403)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateTokenDto): Promise<IssuedTokenResponse> {
    return this.auth.createToken(actorOf(principal), body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Revoke a token; it stops working at once' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.auth.revokeToken(actorOf(principal), id);
  }
}
