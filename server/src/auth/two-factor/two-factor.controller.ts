import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { forbidden } from '../../common/errors/domain-error.js';
import { ApiErrors } from '../../common/openapi/api-errors.decorator.js';
import { Access, CurrentPrincipal, OpenBeforeSecondFactor } from '../access.decorator.js';
import { TwoFactorCodeDto } from '../dto/auth.dto.js';
import { RecoveryCodesResponse, TwoFactorEnrolmentResponse, TwoFactorStatusResponse } from '../dto/auth.response.js';
import { actorOf, type Principal } from '../principal.js';
import { TwoFactorService } from './two-factor.service.js';

const userOf = (principal: Principal): string => {
  if (principal.kind !== 'user') throw forbidden('Only users signed in to the console have a second factor');
  return principal.id;
};

/** A signed-in user's own second factor. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth/two-factor')
@OpenBeforeSecondFactor()
export class TwoFactorController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Whether your two-factor sign-in is on, required, and how many recovery codes are left' })
  @ApiOkResponse({ type: TwoFactorStatusResponse })
  @ApiErrors(401, 403)
  status(@CurrentPrincipal() principal: Principal): Promise<TwoFactorStatusResponse> {
    return this.twoFactor.status(userOf(principal));
  }

  @Post('enrolment')
  @Access('viewer')
  @ApiOperation({ summary: 'Start enrolling: a new TOTP secret for your authenticator app; it takes effect once confirmed with a code' })
  @ApiCreatedResponse({ type: TwoFactorEnrolmentResponse })
  @ApiErrors(401, 403, { status: 409, description: 'CONFLICT: already on, or you sign in through single sign-on' })
  begin(@CurrentPrincipal() principal: Principal): Promise<TwoFactorEnrolmentResponse> {
    return this.twoFactor.begin(userOf(principal));
  }

  @Post('enrolment/confirm')
  @HttpCode(200)
  @Access('viewer')
  @ApiOperation({ summary: 'Finish enrolling with the code the app shows: two-factor sign-in is on; returns recovery codes, shown once' })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  @ApiErrors(400, 401, 403, { status: 409, description: 'CONFLICT: already on, or no enrolment started' })
  confirm(@CurrentPrincipal() principal: Principal, @Body() body: TwoFactorCodeDto): Promise<RecoveryCodesResponse> {
    return this.twoFactor.confirm(actorOf(principal), userOf(principal), body.code);
  }

  @Post('disable')
  @HttpCode(204)
  @Access('viewer')
  @ApiOperation({ summary: 'Turn your two-factor sign-in off, with a current code' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, { status: 409, description: 'CONFLICT: the server requires two-factor sign-in' })
  disable(@CurrentPrincipal() principal: Principal, @Body() body: TwoFactorCodeDto): Promise<void> {
    return this.twoFactor.disable(actorOf(principal), userOf(principal), body.code);
  }
}
