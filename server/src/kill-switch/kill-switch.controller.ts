import { Body, Controller, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ChangeRequestGate } from '../change-requests/change-request-gate.service.js';
import { ChangeRequestCreatedResponse } from '../change-requests/dto/change-request.response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { FlagConfigResponse } from '../flags/dto/flag.response.js';
import { ApiFlagEnvironmentParams, FlagEnvironment, type FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { FlagKillResponse, KillByTagDto, KillDto, KillFlagDto, RestoreByTagDto, RestoreDto, RestoreFlagDto, TagKillResponse } from './dto/kill-switch.dto.js';
import { EnvironmentScope } from './environment-scope.js';
import { type KillSwitchRequest, KillSwitchService } from './kill-switch.service.js';

const killSwitchRequest = (principal: Principal, body: { reason?: string; waitForConfirmationMs?: number }): KillSwitchRequest => ({
  actor: actorOf(principal),
  scope: EnvironmentScope.of(principal),
  reason: body.reason,
  waitForConfirmationMs: body.waitForConfirmationMs,
});

const FORBIDDEN = { status: 403, description: 'FORBIDDEN: not an editor, or a kill-switch token outside its projects or environments' } as const;
const ARCHIVED = { status: 409, description: 'CONFLICT: the flag is archived' } as const;
const RESTORE_FORBIDDEN = {
  status: 403,
  description:
    'FORBIDDEN: not an editor, or a kill-switch token outside its projects or environments; APPROVAL_REQUIRED: an environment requires approval to restore (a kill-switch token, or a restore across environments or by tag)',
} as const;

@ApiTags('kill-switch')
@ApiBearerAuth()
@Controller('projects/:projectKey')
export class KillSwitchController {
  constructor(
    private readonly killSwitch: KillSwitchService,
    private readonly approval: ChangeRequestGate,
  ) {}

  @Post('flags/:key/environments/:environmentKey/kill')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiFlagEnvironmentParams()
  @ApiOperation({ summary: 'Kill switch: serve the off variant everywhere at once, overriding rules and rollouts. Idempotent.' })
  @ApiOkResponse({ type: FlagConfigResponse })
  @ApiErrors(400, 401, FORBIDDEN, 404, ARCHIVED)
  killInEnvironment(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Body() body: KillDto,
  ): Promise<FlagConfigResponse> {
    return this.killSwitch.inEnvironment('kill', flagEnvironment, killSwitchRequest(principal, body));
  }

  @Post('flags/:key/environments/:environmentKey/restore')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiFlagEnvironmentParams()
  @ApiOperation({
    summary: 'Lift a kill: the config is exactly what it was before. Idempotent.',
    description: 'In an environment that requires approval, a restore becomes a change request (202); a kill-switch token gets 403 APPROVAL_REQUIRED.',
  })
  @ApiOkResponse({ type: FlagConfigResponse })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponse, description: 'The environment requires approval: a pending change request to restore was made' })
  @ApiErrors(400, 401, RESTORE_FORBIDDEN, 404, ARCHIVED)
  async restoreInEnvironment(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Body() body: RestoreDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FlagConfigResponse | ChangeRequestCreatedResponse> {
    EnvironmentScope.of(principal).check(flagEnvironment.environmentKey);
    const request = await this.approval.restore(principal, flagEnvironment, body.reason);
    if (request) {
      res.status(HttpStatus.ACCEPTED);
      return request;
    }
    return this.killSwitch.inEnvironment('restore', flagEnvironment, killSwitchRequest(principal, body));
  }

  @Post('flags/:key/kill')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({
    summary:
      'Kill a flag in several or all environments: it serves its off variant at once, overriding rules and rollouts. Idempotent; answers after the ' +
      'change is committed and published, with SDK confirmation counts.',
  })
  @ApiOkResponse({ type: FlagKillResponse })
  @ApiErrors(400, 401, FORBIDDEN, 404, ARCHIVED)
  kill(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Body() body: KillFlagDto,
  ): Promise<FlagKillResponse> {
    return this.killSwitch.flag('kill', projectKey, key, body.environments, killSwitchRequest(principal, body));
  }

  @Post('flags/:key/restore')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Lift a kill in several or all environments: each config is exactly what it was before the kill. Idempotent.' })
  @ApiOkResponse({ type: FlagKillResponse })
  @ApiErrors(400, 401, RESTORE_FORBIDDEN, 404, ARCHIVED)
  async restore(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Body() body: RestoreFlagDto,
  ): Promise<FlagKillResponse> {
    await this.approval.refuseGated(projectKey, body.environments, 'a restore across environments (restore in each environment instead)');
    return this.killSwitch.flag('restore', projectKey, key, body.environments, killSwitchRequest(principal, body));
  }

  @Post('environments/:environmentKey/kill-by-tag')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Kill every active flag with a tag in one environment ("stop all GPU steps")' })
  @ApiOkResponse({ type: TagKillResponse, description: 'Also when some flags could not be killed: each result says so' })
  @ApiErrors(400, 401, FORBIDDEN, 404)
  killByTag(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: KillByTagDto,
  ): Promise<TagKillResponse> {
    return this.killSwitch.byTag('kill', projectKey, environmentKey, body.tag, killSwitchRequest(principal, body));
  }

  @Post('environments/:environmentKey/restore-by-tag')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Restore every active flag with a tag in one environment' })
  @ApiOkResponse({ type: TagKillResponse, description: 'Also when some flags could not be restored: each result says so' })
  @ApiErrors(400, 401, RESTORE_FORBIDDEN, 404)
  async restoreByTag(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: RestoreByTagDto,
  ): Promise<TagKillResponse> {
    await this.approval.refuseGated(projectKey, [environmentKey], 'a restore by tag (restore each flag instead)');
    return this.killSwitch.byTag('restore', projectKey, environmentKey, body.tag, killSwitchRequest(principal, body));
  }
}
