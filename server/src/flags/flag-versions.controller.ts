import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ChangeRequestGate } from '../change-requests/change-request-gate.service.js';
import { ChangeRequestCreatedResponse } from '../change-requests/dto/change-request.response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { FlagVersionPageResponse, ListFlagVersionsQueryDto, RevertFlagConfigDto } from './dto/flag-versions.dto.js';
import { FlagConfigResponse } from './dto/flag.response.js';
import { ApiFlagEnvironmentParams, FlagEnvironment, type FlagEnvironmentRef } from './flag-environment.decorator.js';
import { FlagVersionsService } from './flag-versions.service.js';
import { revertChange } from './flag-versions.js';

const DEFAULT_LIMIT = 20;

@ApiTags('flags')
@ApiBearerAuth()
@ApiFlagEnvironmentParams()
@Controller('projects/:projectKey/flags/:key/environments/:environmentKey')
export class FlagVersionsController {
  constructor(
    private readonly versions: FlagVersionsService,
    private readonly approval: ChangeRequestGate,
  ) {}

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
  @ApiAcceptedResponse({
    type: ChangeRequestCreatedResponse,
    description: "The environment requires approval: a pending change request to write that version's config was made, and nothing was written",
  })
  @ApiErrors(
    { status: 400, description: 'VALIDATION_FAILED: a bad body, a missing required reason, or the version names variants or segments that no longer exist' },
    401,
    403,
    { status: 404, description: 'NOT_FOUND: the project, flag, environment or version (one older than the audit log holds included)' },
    { status: 409, description: 'VERSION_CONFLICT: the config changed since `version`; `details` hold currentVersion and the current config' },
  )
  async revert(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() ref: FlagEnvironmentRef,
    @Body() body: RevertFlagConfigDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FlagConfigResponse | ChangeRequestCreatedResponse> {
    const request = await this.approval.configWrite(principal, ref, {
      basedOnVersion: body.version,
      reason: body.reason?.trim() ? body.reason : `Revert to version ${body.toVersion}`,
      build: async (current) => revertChange(await this.versions.find(ref, body.toVersion), { basedOnVersion: body.version }).apply(current)!,
    });
    if (request) {
      res.status(HttpStatus.ACCEPTED);
      return request;
    }
    return this.versions.revert(actorOf(principal), ref, { toVersion: body.toVersion, basedOnVersion: body.version, reason: body.reason });
  }
}
