import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ErrorResponse } from '../common/errors/error-response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ApiFlagEnvironmentParams, FlagEnvironment, type FlagEnvironmentRef } from '../flags/flag-environment.decorator.js';
import { CreateTriggerDto, IssuedTriggerResponse, TriggerFiredResponse, TriggerResponse, UpdateTriggerDto } from './dto/trigger.dto.js';
import { TRIGGER_PATH, TriggersService } from './triggers.service.js';

const urlOf = (req: Request, secret: string): string => `${req.protocol}://${req.get('host') ?? 'localhost'}${TRIGGER_PATH}${secret}`;

@ApiTags('triggers')
@ApiBearerAuth()
@ApiFlagEnvironmentParams()
@Controller('projects/:projectKey/flags/:key/environments/:environmentKey/triggers')
export class TriggersController {
  constructor(private readonly triggers: TriggersService) {}

  @Get()
  @Access('editor')
  @ApiOperation({ summary: "The flag's trigger URLs in the environment (their secrets are never shown again)" })
  @ApiOkResponse({ type: [TriggerResponse] })
  @ApiErrors(400, 401, 403, 404)
  list(@FlagEnvironment() flagEnvironment: FlagEnvironmentRef): Promise<TriggerResponse[]> {
    return this.triggers.list(flagEnvironment);
  }

  @Post()
  @Access('editor')
  @ApiOperation({ summary: 'Create a trigger URL for this flag and environment; the URL (its secret) is shown once' })
  @ApiCreatedResponse({ type: IssuedTriggerResponse })
  @ApiErrors(400, 401, 403, 404)
  async create(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Body() body: CreateTriggerDto,
    @Req() req: Request,
  ): Promise<IssuedTriggerResponse> {
    const { trigger, secret } = await this.triggers.create(actorOf(principal), flagEnvironment, body);
    return { trigger, secret, url: urlOf(req, secret) };
  }

  @Patch(':id')
  @Access('editor')
  @ApiOperation({ summary: 'Rename, change restore-on-resolve, or disable/enable (absent = unchanged)' })
  @ApiOkResponse({ type: TriggerResponse })
  @ApiErrors(400, 401, 403, 404)
  update(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateTriggerDto,
  ): Promise<TriggerResponse> {
    return this.triggers.update(actorOf(principal), flagEnvironment, id, body);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Disable: the URL answers 404 until enabled again' })
  @ApiOkResponse({ type: TriggerResponse })
  @ApiErrors(400, 401, 403, 404)
  disable(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<TriggerResponse> {
    return this.triggers.update(actorOf(principal), flagEnvironment, id, { enabled: false });
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Enable a disabled trigger: its URL works again' })
  @ApiOkResponse({ type: TriggerResponse })
  @ApiErrors(400, 401, 403, 404)
  enable(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<TriggerResponse> {
    return this.triggers.update(actorOf(principal), flagEnvironment, id, { enabled: true });
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Issue a new secret URL; the old one stops working at once' })
  @ApiOkResponse({ type: IssuedTriggerResponse })
  @ApiErrors(400, 401, 403, 404)
  async rotate(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: Request,
  ): Promise<IssuedTriggerResponse> {
    const { trigger, secret } = await this.triggers.rotate(actorOf(principal), flagEnvironment, id);
    return { trigger, secret, url: urlOf(req, secret) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Access('editor')
  @ApiOperation({ summary: 'Delete a trigger: its URL answers 404 from now on' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  delete(
    @CurrentPrincipal() principal: Principal,
    @FlagEnvironment() flagEnvironment: FlagEnvironmentRef,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.triggers.delete(actorOf(principal), flagEnvironment, id);
  }
}

/** The URL monitoring tools call. The secret in the path is the credential; rate-limited per client address, then per trigger. */
@ApiTags('triggers')
@Controller('triggers')
export class TriggerHookController {
  constructor(private readonly triggers: TriggersService) {}

  @Post(':secret')
  @HttpCode(200)
  @Access('public')
  @UseGuards(ThrottlerGuard)
  @ApiOperation({
    summary:
      "Fire a trigger: an empty POST or {reason} does the trigger's effect (chosen at creation: kill, turn on/off, serve a variant, set a rollout, " +
      'pause/resume/abort the rollout plan); Alertmanager and Grafana webhooks do it on firing/alerting and undo it on resolved/ok when the trigger ' +
      'allows it. CloudEvents 1.0 in structured (application/cloudevents+json) or binary (ce-* headers) mode carry any of these as data; a ' +
      'repeated event (same source and id, or the same Idempotency-Key) answers as before and changes nothing. Unknown or disabled: 404. Too many calls: 429.',
  })
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      additionalProperties: true,
      description: 'Nothing, {reason}, an Alertmanager webhook, a Grafana alert webhook, or a structured CloudEvent whose data is one of these',
    },
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A call with a key this trigger handled in the last 24 h changes nothing' })
  @ApiOkResponse({ type: TriggerFiredResponse })
  @ApiErrors(400, { status: 404, description: 'NOT_FOUND: no trigger has this secret, or it is disabled' })
  @ApiResponse({ status: 413, type: ErrorResponse, description: 'PAYLOAD_TOO_LARGE: a JSON body over 1 MB or a structured CloudEvent over 256 KB' })
  @ApiResponse({
    status: 415,
    type: ErrorResponse,
    description: 'UNSUPPORTED_MEDIA_TYPE: a body that is neither application/json nor application/cloudevents+json',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponse,
    description: 'More than 10 calls to this trigger in the last 60 s (a sliding window; refused calls do not count)',
    headers: { 'Retry-After': { description: 'Seconds until a call is accepted again', schema: { type: 'integer' } } },
  })
  fire(@Param('secret') secret: string, @Body() body: unknown, @Req() req: Request): Promise<TriggerFiredResponse> {
    // A RATE_LIMITED refusal gets its Retry-After from the shared error mapping (common/errors).
    return this.triggers.fire(secret, { contentType: req.headers['content-type'], headers: req.headers, body });
  }
}
