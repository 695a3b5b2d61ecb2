import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { FlagKillResponse, KillByTagDto, KillFlagDto, RestoreByTagDto, RestoreFlagDto, TagKillResponse } from './dto/kill-switch.dto.js';
import { environmentScope } from './environment-scope.js';
import { KillSwitchService } from './kill-switch.service.js';

@ApiTags('kill-switch')
@ApiBearerAuth()
@Controller('projects/:projectKey')
export class KillSwitchController {
  constructor(private readonly killSwitch: KillSwitchService) {}

  @Post('flags/:key/kill')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Kill a flag in several or all environments: it serves its off variant at once, overriding rules and rollouts. Idempotent; answers after the change is committed and published, with SDK confirmation counts.' })
  @ApiOkResponse({ type: FlagKillResponse })
  kill(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Body() body: KillFlagDto): Promise<FlagKillResponse> {
    return this.killSwitch.flag('kill', projectKey, key, body.environments, { actor: actorOf(principal), scope: environmentScope(principal), reason: body.reason, waitForConfirmationMs: body.waitForConfirmationMs });
  }

  @Post('flags/:key/restore')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Lift a kill in several or all environments: each config is exactly what it was before the kill. Idempotent.' })
  @ApiOkResponse({ type: FlagKillResponse })
  restore(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Body() body: RestoreFlagDto): Promise<FlagKillResponse> {
    return this.killSwitch.flag('restore', projectKey, key, body.environments, { actor: actorOf(principal), scope: environmentScope(principal), reason: body.reason, waitForConfirmationMs: body.waitForConfirmationMs });
  }

  @Post('environments/:environmentKey/kill-by-tag')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Kill every active flag with a tag in one environment ("stop all GPU steps")' })
  @ApiOkResponse({ type: TagKillResponse })
  killByTag(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('environmentKey') environmentKey: string, @Body() body: KillByTagDto): Promise<TagKillResponse> {
    return this.killSwitch.byTag('kill', projectKey, environmentKey, body.tag, { actor: actorOf(principal), scope: environmentScope(principal), reason: body.reason, waitForConfirmationMs: body.waitForConfirmationMs });
  }

  @Post('environments/:environmentKey/restore-by-tag')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Restore every active flag with a tag in one environment' })
  @ApiOkResponse({ type: TagKillResponse })
  restoreByTag(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('environmentKey') environmentKey: string, @Body() body: RestoreByTagDto): Promise<TagKillResponse> {
    return this.killSwitch.byTag('restore', projectKey, environmentKey, body.tag, { actor: actorOf(principal), scope: environmentScope(principal), reason: body.reason, waitForConfirmationMs: body.waitForConfirmationMs });
  }
}
