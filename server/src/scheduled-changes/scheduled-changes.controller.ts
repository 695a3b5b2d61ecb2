import { Body, Controller, Delete, Get, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ChangeRequestGate } from '../change-requests/change-request-gate.service.js';
import { ChangeRequestCreatedResponse } from '../change-requests/dto/change-request.response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ApiFlagEnvironmentParams, FlagEnvironment, type FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { CancelScheduledChangeQueryDto, CreateScheduledChangeDto, ListScheduledChangesQueryDto, UpdateScheduledChangeDto } from './dto/scheduled-change.dto.js';
import { ScheduledChangeResponse } from './dto/scheduled-change.response.js';
import { ScheduledChangesService } from './scheduled-changes.service.js';

const NOT_PENDING = {
  status: 409,
  description: 'CONFLICT: the change already ran, failed or was cancelled; VERSION_CONFLICT: `version` is not the current one',
} as const;

@ApiTags('scheduled-changes')
@ApiBearerAuth()
@ApiFlagEnvironmentParams()
@Controller('projects/:projectKey/flags/:key/environments/:environmentKey/scheduled-changes')
export class ScheduledChangesController {
  constructor(
    private readonly changes: ScheduledChangesService,
    private readonly approval: ChangeRequestGate,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Scheduled changes of the config, soonest first, in every state (or one: `status`)' })
  @ApiOkResponse({ type: [ScheduledChangeResponse] })
  @ApiErrors(400, 401, 403, 404)
  list(@FlagEnvironment() ref: FlagEnvironmentRef, @Query() query: ListScheduledChangesQueryDto): Promise<ScheduledChangeResponse[]> {
    return this.changes.list(ref, query.status);
  }

  @Get(':id')
  @Access('viewer')
  @ApiOperation({ summary: 'One scheduled change' })
  @ApiOkResponse({ type: ScheduledChangeResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@FlagEnvironment() ref: FlagEnvironmentRef, @Param('id', new ParseUUIDPipe()) id: string): Promise<ScheduledChangeResponse> {
    return this.changes.get(ref, id);
  }

  @Post()
  @Access('editor')
  @ApiOperation({
    summary: 'Schedule a config change (the whole config or a patch) for a time',
    description:
      'When due it is written like a PUT/PATCH made by its author (audited with "scheduled" in the reason, pushed to SDKs), ' +
      'but only if the config is still at `version`; otherwise it is marked `conflict` and the `scheduled_change.failed` webhook event is sent. ' +
      'In an environment that requires approval it answers 202 with a pending `config` change request carrying `runAt` (its change is the whole config ' +
      'the scheduled change would write); applying the approved request creates the scheduled change.',
  })
  @ApiCreatedResponse({ type: ScheduledChangeResponse })
  @ApiAcceptedResponse({
    type: ChangeRequestCreatedResponse,
    description: 'The environment requires approval: a pending change request with runAt was made from it, and nothing was scheduled',
  })
  @ApiErrors(
    {
      status: 400,
      description:
        'VALIDATION_FAILED: runAt in the past or too far ahead, neither or both of replace and patch, a config the flag cannot take, a missing required reason',
    },
    401,
    403,
    404,
    { status: 409, description: 'VERSION_CONFLICT: `version` is not the current one; CONFLICT: the flag is archived' },
  )
  async create(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() ref: FlagEnvironmentRef,
    @Body() body: CreateScheduledChangeDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScheduledChangeResponse | ChangeRequestCreatedResponse> {
    // A scheduled write would bypass review: in an environment that requires approval, it becomes a change request.
    if (body.replace === undefined || body.patch === undefined) {
      const kind = body.patch === undefined ? 'replace' : 'patch';
      const config = body.patch ?? body.replace;
      if (config !== undefined) {
        const request = await this.approval.scheduled(principal, ref, {
          runAt: new Date(body.runAt),
          basedOnVersion: body.version,
          reason: body.reason,
          kind,
          config,
        });
        if (request) {
          res.status(HttpStatus.ACCEPTED);
          return request;
        }
      }
    }
    return this.changes.create(actorOf(principal), ref, {
      runAt: new Date(body.runAt),
      basedOnVersion: body.version,
      reason: body.reason,
      replace: body.replace,
      patch: body.patch,
    });
  }

  @Patch(':id')
  @Access('editor')
  @ApiOperation({ summary: 'Edit a change before it runs: time, reason, the change itself, or its base version (rebase)' })
  @ApiOkResponse({ type: ScheduledChangeResponse })
  @ApiErrors(400, 401, 403, 404, NOT_PENDING)
  async update(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() ref: FlagEnvironmentRef,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateScheduledChangeDto,
  ): Promise<ScheduledChangeResponse> {
    if (body.replace !== undefined || body.patch !== undefined || body.version !== undefined)
      await this.approval.refuseGated(ref.projectKey, [ref.environmentKey], 'a scheduled change');
    return this.changes.update(actorOf(principal), ref, id, {
      runAt: body.runAt === undefined ? undefined : new Date(body.runAt),
      basedOnVersion: body.version,
      reason: body.reason,
      replace: body.replace,
      patch: body.patch,
    });
  }

  @Delete(':id')
  @Access('editor')
  @ApiOperation({ summary: 'Cancel a change before it runs (it stays listed as cancelled)' })
  @ApiOkResponse({ type: ScheduledChangeResponse })
  @ApiErrors(400, 401, 403, 404, NOT_PENDING)
  cancel(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() ref: FlagEnvironmentRef,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: CancelScheduledChangeQueryDto,
  ): Promise<ScheduledChangeResponse> {
    return this.changes.cancel(actorOf(principal), ref, id, query.reason);
  }
}
