import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ChangeRequestGate } from '../change-requests/change-request-gate.service.js';
import { ChangeRequestCreatedResponse } from '../change-requests/dto/change-request.response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ApiFlagEnvironmentParams, FlagEnvironment, type FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { CreateRolloutPlanDto, FlagRolloutDefaultsResponse, RolloutActionDto, RolloutDefaultsResponse, RolloutPlanResponse } from './dto/rollout-plan.dto.js';
import { DEFAULT_GUARDS, DEFAULT_STAGES } from './rollout-guards.js';
import { RolloutsService } from './rollouts.service.js';

@ApiTags('rollouts')
@ApiBearerAuth()
@ApiFlagEnvironmentParams()
@Controller('projects/:projectKey/flags/:key/environments/:environmentKey/rollout-plans')
export class RolloutsController {
  constructor(
    private readonly rollouts: RolloutsService,
    private readonly approval: ChangeRequestGate,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: "The flag's rollout plans in the environment, newest first" })
  @ApiOkResponse({ type: [RolloutPlanResponse] })
  @ApiErrors(400, 401, 403, 404)
  list(@FlagEnvironment() flagEnvironment: FlagEnvironmentRef): Promise<RolloutPlanResponse[]> {
    return this.rollouts.list(flagEnvironment);
  }

  @Post()
  @Access('editor')
  @ApiOperation({ summary: 'Create a rollout plan; its first stage starts once control has baseline metrics (409 if a plan is already active)' })
  @ApiCreatedResponse({ type: RolloutPlanResponse })
  @ApiAcceptedResponse({
    type: ChangeRequestCreatedResponse,
    description:
      'The environment requires approval: a pending rollout-plan change request was made from the body, and nothing was created. ' +
      'Applying the approved request creates and starts the plan; its stages then run without asking again.',
  })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: a plan is already active on the flag in the environment' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Body() body: CreateRolloutPlanDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RolloutPlanResponse | ChangeRequestCreatedResponse> {
    const request = await this.approval.rolloutPlan(principal, flagEnvironment, body);
    if (request) {
      res.status(HttpStatus.ACCEPTED);
      return request;
    }
    return this.rollouts.create(actorOf(principal), flagEnvironment, body);
  }

  // Declared before ':planId', which would otherwise take 'defaults' for an id.
  @Get('defaults')
  @Access('viewer')
  @ApiOperation({
    summary:
      "What a plan created now on this flag gets when its request leaves stages and guards out: guard metrics chosen from the flag's reported " +
      'metrics, each with why and whether it has data yet',
  })
  @ApiOkResponse({ type: FlagRolloutDefaultsResponse })
  @ApiErrors(400, 401, 403, 404)
  defaults(@FlagEnvironment() flagEnvironment: FlagEnvironmentRef): Promise<FlagRolloutDefaultsResponse> {
    return this.rollouts.defaultsFor(flagEnvironment);
  }

  @Get(':planId')
  @Access('viewer')
  @ApiOperation({ summary: 'One rollout plan, with its history and, after a rollback, the reason and metrics snapshot' })
  @ApiOkResponse({ type: RolloutPlanResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@FlagEnvironment() flagEnvironment: FlagEnvironmentRef, @Param('planId', ParseUUIDPipe) planId: string): Promise<RolloutPlanResponse> {
    return this.rollouts.get(flagEnvironment, planId);
  }

  @Post(':planId/pause')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Pause: the current split stays, the scheduler leaves the plan alone' })
  @ApiOkResponse({ type: RolloutPlanResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: only a running or waiting plan can be paused' })
  pause(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('planId', ParseUUIDPipe) planId: string,
    @Body() body: RolloutActionDto,
  ): Promise<RolloutPlanResponse> {
    return this.rollouts.pause(actorOf(principal), flagEnvironment, planId, body.reason);
  }

  @Post(':planId/resume')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Resume a paused plan' })
  @ApiOkResponse({ type: RolloutPlanResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the plan is not paused' })
  resume(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('planId', ParseUUIDPipe) planId: string,
    @Body() body: RolloutActionDto,
  ): Promise<RolloutPlanResponse> {
    return this.rollouts.resume(actorOf(principal), flagEnvironment, planId, body.reason);
  }

  @Post(':planId/advance')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Move to the next stage now, whatever its duration and samples' })
  @ApiOkResponse({ type: RolloutPlanResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the plan is finished, or cannot start yet' })
  advance(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('planId', ParseUUIDPipe) planId: string,
    @Body() body: RolloutActionDto,
  ): Promise<RolloutPlanResponse> {
    return this.rollouts.advanceNow(actorOf(principal), flagEnvironment, planId, body.reason);
  }

  @Post(':planId/abort')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Stop the plan and send all traffic back to control' })
  @ApiOkResponse({ type: RolloutPlanResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the plan is already finished' })
  abort(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('planId', ParseUUIDPipe) planId: string,
    @Body() body: RolloutActionDto,
  ): Promise<RolloutPlanResponse> {
    return this.rollouts.abort(actorOf(principal), flagEnvironment, planId, body.reason);
  }
}

@ApiTags('rollouts')
@ApiBearerAuth()
@Controller('rollout-plans/defaults')
export class RolloutDefaultsController {
  @Get()
  @Access('viewer')
  @ApiOperation({
    summary:
      'The stages and guards a plan gets when its request leaves them out. Guard metrics left out are chosen per flag from what its SDKs ' +
      'reported: see GET …/flags/{key}/environments/{environmentKey}/rollout-plans/defaults',
  })
  @ApiOkResponse({ type: RolloutDefaultsResponse })
  @ApiErrors(401, 403)
  defaults(): RolloutDefaultsResponse {
    return { stages: DEFAULT_STAGES, guards: DEFAULT_GUARDS };
  }
}
