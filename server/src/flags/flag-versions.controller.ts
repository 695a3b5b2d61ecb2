import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { FlagVersionPageResponse, ListFlagVersionsQueryDto, RevertFlagConfigDto } from './dto/flag-versions.dto.js';
import { FlagConfigResponse } from './dto/flag.response.js';
import { ApiFlagEnvironmentParams, FlagEnvironment, type FlagEnvironmentRef } from './flag-environment.decorator.js';
import { FlagVersionsService } from './flag-versions.service.js';

const DEFAULT_LIMIT = 20;

@ApiTags('flags')
@ApiBearerAuth()
@ApiFlagEnvironmentParams()
@Controller('projects/:projectKey/flags/:key/environments/:environmentKey')
export class FlagVersionsController {
  constructor(private readonly versions: FlagVersionsService) {}

  @Get('versions')
  @Access('viewer')
  @ApiOperation({
    summary: "The config's versions, newest first, each with who, when, why and the config after it",
    description: 'Read from the audit log. Versions older than the log holds are not listed; the last page says so with `earlierVersionsMissing`.',
  })
  @ApiOkResponse({ type: FlagVersionPageResponse })
  @ApiErrors(400, 401, 403, 404)
  list(@FlagEnvironment() ref: FlagEnvironmentRef, @Query() query: ListFlagVersionsQueryDto): Promise<FlagVersionPageResponse> {
    return this.versions.list(ref, { limit: query.limit ?? DEFAULT_LIMIT, cursor: query.cursor });
  }

  @Post('revert')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({
    summary: "Write an earlier version's config again, as a new version (audited as flag.config.reverted)",
    description: 'The kill switch is not changed by a revert: a killed flag stays killed, a live one stays live.',
  })
  @ApiOkResponse({ type: FlagConfigResponse })
  @ApiErrors(
    { status: 400, description: 'VALIDATION_FAILED: a bad body, a missing required reason, or the version names variants or segments that no longer exist' },
    401,
    403,
    { status: 404, description: 'NOT_FOUND: the project, flag, environment or version (one older than the audit log holds included)' },
    { status: 409, description: 'VERSION_CONFLICT: the config changed since `version`; `details` hold currentVersion and the current config' },
  )
  revert(@CurrentPrincipal() principal: Principal, @FlagEnvironment() ref: FlagEnvironmentRef, @Body() body: RevertFlagConfigDto): Promise<FlagConfigResponse> {
    return this.versions.revert(actorOf(principal), ref, { toVersion: body.toVersion, basedOnVersion: body.version, reason: body.reason });
  }
}
