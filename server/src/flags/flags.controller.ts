import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ChangeRequestGate } from '../change-requests/change-request-gate.service.js';
import { ChangeRequestCreatedResponse } from '../change-requests/dto/change-request.response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ArchiveDto, CreateFlagDto, ListFlagsQueryDto, SearchFlagsQueryDto, UpdateFlagDto } from './dto/flag.dto.js';
import { PatchFlagConfigDto, ReplaceFlagConfigDto } from './dto/flag-config.dto.js';
import { FlagPageResponse } from './dto/flag-page.response.js';
import { FlagConfigResponse, FlagResponse } from './dto/flag.response.js';
import { mergeConfigPatch, toPatchChange, toReplaceChange } from './flag-config.mapper.js';
import { toConfigState } from './flag.mapper.js';
import { toCursor, toFlagChange, toFlagFilter, toFlagOrder, toFlagPageRequest, toNewFlag } from './flag-changes.mapper.js';
import type { FlagConfigChange } from './flag-config-change.js';
import type { FlagEnvironmentRef } from './flag-environment.decorator.js';
import { FlagsService } from './flags.service.js';

const CONFIG_CONFLICT = {
  status: 409,
  description: 'VERSION_CONFLICT: the config changed since `version` (`details` hold currentVersion and the current config); or CONFLICT: the flag is archived',
} as const;

const NEEDS_APPROVAL = 'The environment requires approval: a pending change request was made from the write, and nothing was written';

/** The change-log sequence a config write produced: an SDK whose `sequence` is at least this has the change. */
const SEQUENCE_HEADER = 'Signalbox-Sequence';
const SEQUENCE_HEADER_DESCRIPTION =
  'The change-log sequence of this write (absent when nothing changed): an SDK whose `sequence` is at least this serves the new config';

// Kill and restore in one environment are the kill switch's (kill-switch/).
@ApiTags('flags')
@ApiBearerAuth()
@Controller('projects/:projectKey')
export class FlagsController {
  constructor(
    private readonly flags: FlagsService,
    private readonly approval: ChangeRequestGate,
  ) {}

  @Get('flags')
  @Access('viewer')
  @ApiOperation({ summary: 'Flags of a project with their config in every environment: all of them, as one array (GET .../search/flags pages)' })
  @ApiOkResponse({ type: [FlagResponse] })
  @ApiErrors(400, 401, 403, 404)
  list(@Param('projectKey') projectKey: string, @Query() query: ListFlagsQueryDto): Promise<FlagResponse[]> {
    return this.flags.list(projectKey, toFlagFilter(query), toFlagOrder(query));
  }

  @Get('search/flags')
  @Access('viewer')
  @ApiOperation({
    summary: 'One page of the flags a search and filters hold, with their total',
    description:
      'Keyset-paged: `nextCursor` marks the last flag of a page by its sort value and key, so flags created or deleted ' +
      'while a client pages never shift, skip or repeat the rest. Send the cursor back with the same filters, sort and order.',
  })
  @ApiOkResponse({ type: FlagPageResponse })
  @ApiErrors(400, 401, 403, 404)
  async search(@Param('projectKey') projectKey: string, @Query() query: SearchFlagsQueryDto): Promise<FlagPageResponse> {
    const page = toFlagPageRequest(query);
    const { items, total, next } = await this.flags.page(projectKey, toFlagFilter(query), page);
    return { items, total, nextCursor: next ? toCursor(page.order, next) : null };
  }

  @Post('flags')
  @Access('editor')
  @ApiOperation({ summary: 'Create a flag; it is off in every environment until configured' })
  @ApiCreatedResponse({ type: FlagResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the flag key is taken in this project' })
  create(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: CreateFlagDto): Promise<FlagResponse> {
    return this.flags.create(actorOf(principal), projectKey, toNewFlag(body));
  }

  @Get('flags/:key')
  @Access('viewer')
  @ApiOperation({ summary: 'One flag with its config in every environment' })
  @ApiOkResponse({ type: FlagResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@Param('projectKey') projectKey: string, @Param('key') key: string): Promise<FlagResponse> {
    return this.flags.get(projectKey, key);
  }

  @Patch('flags/:key')
  @Access('editor')
  @ApiOperation({ summary: 'Change name, description, owner, tags, lifecycle or variants (absent = unchanged, null = cleared)' })
  @ApiOkResponse({ type: FlagResponse })
  @ApiErrors(400, 401, 403, 404, {
    status: 409,
    description: 'VERSION_CONFLICT: the flag changed since `version`; `details` hold currentVersion and the current flag',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Body() body: UpdateFlagDto,
  ): Promise<FlagResponse> {
    return this.flags.update(actorOf(principal), projectKey, key, toFlagChange(body));
  }

  @Post('flags/:key/archive')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Archive: SDKs stop receiving the flag (evaluations answer FLAG_NOT_FOUND)' })
  @ApiOkResponse({ type: FlagResponse })
  @ApiAcceptedResponse({
    type: ChangeRequestCreatedResponse,
    description: 'An environment of the project requires approval: a change request to archive was made instead',
  })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the flag is a prerequisite of active flags; `details.flags` names them' })
  async archive(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Body() body: ArchiveDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FlagResponse | ChangeRequestCreatedResponse> {
    const request = await this.approval.archive(principal, projectKey, key, body.reason);
    if (request) {
      res.status(HttpStatus.ACCEPTED);
      return request;
    }
    return this.flags.archive(actorOf(principal), projectKey, key, body.reason);
  }

  @Post('flags/:key/unarchive')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Bring an archived flag back: SDKs receive it again, with the configs it had' })
  @ApiOkResponse({ type: FlagResponse })
  @ApiErrors(400, 401, 403, 404)
  unarchive(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Body() body: ArchiveDto,
  ): Promise<FlagResponse> {
    return this.flags.unarchive(actorOf(principal), projectKey, key, body.reason);
  }

  @Delete('flags/:key')
  @HttpCode(204)
  @Access('editor')
  @ApiOperation({ summary: 'Delete an archived flag for good' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the flag is not archived' })
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Query() query: ArchiveDto,
  ): Promise<void> {
    return this.flags.delete(actorOf(principal), projectKey, key, query.reason);
  }

  @Get('flags/:key/environments/:environmentKey')
  @Access('viewer')
  @ApiOperation({ summary: 'The config in one environment' })
  @ApiOkResponse({ type: FlagConfigResponse })
  @ApiErrors(400, 401, 403, 404)
  getConfig(@Param('projectKey') projectKey: string, @Param('key') key: string, @Param('environmentKey') environmentKey: string): Promise<FlagConfigResponse> {
    return this.flags.getConfig(projectKey, key, environmentKey);
  }

  @Put('flags/:key/environments/:environmentKey')
  @Access('editor')
  @ApiOperation({ summary: 'Replace the config in an environment; `version` must be the current one (else 409)' })
  @ApiOkResponse({
    type: FlagConfigResponse,
    headers: { [SEQUENCE_HEADER]: { description: SEQUENCE_HEADER_DESCRIPTION, schema: { type: 'integer' } } },
  })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponse, description: NEEDS_APPROVAL })
  @ApiErrors(400, 401, 403, 404, CONFIG_CONFLICT)
  async replaceConfig(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: ReplaceFlagConfigDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FlagConfigResponse | ChangeRequestCreatedResponse> {
    const ref = { projectKey, flagKey: key, environmentKey };
    const change = toReplaceChange(body);
    const request = await this.approval.configWrite(principal, ref, {
      basedOnVersion: body.version,
      reason: body.reason,
      build: (current) => change.apply(current)!,
    });
    if (request) {
      res.status(HttpStatus.ACCEPTED);
      return request;
    }
    return this.changeConfig(principal, ref, change, res);
  }

  @Patch('flags/:key/environments/:environmentKey')
  @Access('editor')
  @ApiOperation({ summary: 'Change parts of the config (absent = unchanged, null = cleared); `version` must be the current one' })
  @ApiOkResponse({
    type: FlagConfigResponse,
    headers: { [SEQUENCE_HEADER]: { description: SEQUENCE_HEADER_DESCRIPTION, schema: { type: 'integer' } } },
  })
  @ApiAcceptedResponse({ type: ChangeRequestCreatedResponse, description: NEEDS_APPROVAL })
  @ApiErrors(400, 401, 403, 404, CONFIG_CONFLICT)
  async patchConfig(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: PatchFlagConfigDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FlagConfigResponse | ChangeRequestCreatedResponse> {
    const ref = { projectKey, flagKey: key, environmentKey };
    const request = await this.approval.configWrite(principal, ref, {
      basedOnVersion: body.version,
      reason: body.reason,
      build: (current) => toConfigState(mergeConfigPatch(current, body)),
    });
    if (request) {
      res.status(HttpStatus.ACCEPTED);
      return request;
    }
    return this.changeConfig(principal, ref, toPatchChange(body), res);
  }

  private async changeConfig(principal: Principal, flagEnvironment: FlagEnvironmentRef, change: FlagConfigChange, res: Response): Promise<FlagConfigResponse> {
    const { config, sequence } = await this.flags.changeConfig(actorOf(principal), flagEnvironment, change);
    if (sequence !== null) res.setHeader(SEQUENCE_HEADER, String(sequence));
    return config;
  }
}
