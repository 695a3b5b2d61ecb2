import { Body, Controller, Get, HttpCode, Param, type PipeTransform, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { validationFailed } from '../common/errors/domain-error.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import type { EditableFlagConfig } from '../flags/flag-config-change.js';
import { toPrerequisites, toRules, toServe, toTargets } from '../flags/flag-config.mapper.js';
import {
  type ChangeRequestConfigDto,
  CommentChangeRequestDto,
  CreateChangeRequestDto,
  CHANGE_REQUEST_PAGE_SIZE,
  ListChangeRequestsQueryDto,
  RebaseChangeRequestDto,
  ReviewChangeRequestDto,
} from './dto/change-request.dto.js';
import { ChangeRequestListResponse, ChangeRequestResponse } from './dto/change-request.response.js';
import { ChangeRequestsService, type Reviewer } from './change-requests.service.js';

/** The request number in the path: 1, 2, 3… (anything else is a 400 naming `number`). */
class RequestNumberPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const number = /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number)) throw validationFailed([{ field: 'number', reason: 'must be a change request number (1, 2, 3…)' }]);
    return number;
  }
}

/** The PUT body's config, as the domain holds it. */
export const toEditableConfig = (dto: ChangeRequestConfigDto): EditableFlagConfig => ({
  on: dto.on,
  offVariant: dto.offVariant,
  targets: toTargets(dto.targets),
  rules: toRules(dto.rules),
  defaultRule: dto.defaultRule === null ? null : toServe(dto.defaultRule),
  prerequisites: toPrerequisites(dto.prerequisites),
});

const reviewerOf = (principal: Principal): Reviewer => ({
  actor: actorOf(principal),
  admin:
    principal.kind === 'admin-token' ||
    (principal.kind === 'user' && principal.role === 'admin') ||
    (principal.kind === 'token' && principal.access === 'admin'),
});

const ApiRequestNumber = () =>
  ApiParam({ name: 'number', schema: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' }, description: 'The request number in the project: 1, 2, 3…' });

const NOT_OPEN = { status: 409, description: 'CONFLICT: the request is applied, cancelled or (for reviews) rejected' } as const;

@ApiTags('change-requests')
@ApiBearerAuth()
@ApiParam({ name: 'projectKey' })
@Controller('projects/:projectKey/change-requests')
export class ChangeRequestsController {
  constructor(private readonly requests: ChangeRequestsService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: "The project's change requests, newest first, a page at a time (filter by status, environment, flag, segment)" })
  @ApiOkResponse({ type: ChangeRequestListResponse })
  @ApiErrors(400, 401, 403, 404)
  async list(@Param('projectKey') projectKey: string, @Query() query: ListChangeRequestsQueryDto): Promise<ChangeRequestListResponse> {
    return this.requests.list(projectKey, {
      status: query.status,
      environmentKey: query.environment,
      flagKey: query.flag,
      segmentKey: query.segment,
      before: query.cursor === undefined ? undefined : Number(query.cursor),
      limit: query.limit ?? CHANGE_REQUEST_PAGE_SIZE,
    });
  }

  @Get(':number')
  @Access('viewer')
  @ApiRequestNumber()
  @ApiOperation({ summary: 'One change request, with its diff, reviews and comments' })
  @ApiOkResponse({ type: ChangeRequestResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@Param('projectKey') projectKey: string, @Param('number', RequestNumberPipe) number: number): Promise<ChangeRequestResponse> {
    return this.requests.get(projectKey, number);
  }

  @Post()
  @Access('editor')
  @ApiOperation({
    summary: 'Propose a config change (optionally scheduled: runAt), restore or archive for review',
    description:
      'It is applied only after enough approvals from people other than its author, and only while its base version is still current. ' +
      'With `runAt` in the future, applying it creates a scheduled change for that time instead of writing at once.',
  })
  @ApiCreatedResponse({ type: ChangeRequestResponse })
  @ApiErrors(
    {
      status: 400,
      description:
        'VALIDATION_FAILED: a bad body, a config the flag cannot take (fields under `change.`), a change on a restore or archive, runAt in the past, too far ahead or on a restore or archive',
    },
    401,
    403,
    404,
    { status: 409, description: 'VERSION_CONFLICT: `baseVersion` is not the current one; CONFLICT: the flag is archived, or not killed (restore)' },
  )
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Body() body: CreateChangeRequestDto,
  ): Promise<ChangeRequestResponse> {
    return this.requests.create(actorOf(principal), projectKey, {
      kind: body.kind,
      flagKey: body.flag,
      environmentKey: body.environment,
      baseVersion: body.baseVersion,
      change: body.change ? toEditableConfig(body.change) : undefined,
      runAt: body.runAt === undefined ? undefined : new Date(body.runAt),
      reason: body.reason,
      reviewers: body.reviewers,
    });
  }

  @Post(':number/approve')
  @HttpCode(200)
  @Access('editor')
  @ApiRequestNumber()
  @ApiOperation({ summary: 'Approve; with enough approvals the request becomes approved' })
  @ApiOkResponse({ type: ChangeRequestResponse })
  @ApiErrors(400, 401, { status: 403, description: 'SELF_APPROVAL: the author cannot approve their own request; FORBIDDEN: not an editor' }, 404, NOT_OPEN)
  approve(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('number', RequestNumberPipe) number: number,
    @Body() body: ReviewChangeRequestDto,
  ): Promise<ChangeRequestResponse> {
    return this.requests.approve(reviewerOf(principal), projectKey, number, body.comment);
  }

  @Post(':number/reject')
  @HttpCode(200)
  @Access('editor')
  @ApiRequestNumber()
  @ApiOperation({ summary: 'Reject; the author may rebase it back to pending or cancel it' })
  @ApiOkResponse({ type: ChangeRequestResponse })
  @ApiErrors(
    400,
    401,
    { status: 403, description: 'SELF_APPROVAL: the author cannot reject their own request (cancel it); FORBIDDEN: not an editor' },
    404,
    NOT_OPEN,
  )
  reject(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('number', RequestNumberPipe) number: number,
    @Body() body: ReviewChangeRequestDto,
  ): Promise<ChangeRequestResponse> {
    return this.requests.reject(reviewerOf(principal), projectKey, number, body.comment);
  }

  @Post(':number/comments')
  @Access('editor')
  @ApiRequestNumber()
  @ApiOperation({ summary: 'Comment on a request' })
  @ApiCreatedResponse({ type: ChangeRequestResponse })
  @ApiErrors(400, 401, 403, 404)
  comment(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('number', RequestNumberPipe) number: number,
    @Body() body: CommentChangeRequestDto,
  ): Promise<ChangeRequestResponse> {
    return this.requests.comment(reviewerOf(principal), projectKey, number, body.body);
  }

  @Post(':number/apply')
  @HttpCode(200)
  @Access('editor')
  @ApiRequestNumber()
  @ApiOperation({
    summary: 'Apply an approved request: written as a new version, only if its base version is still current',
    description:
      'Allowed for anyone who approved it, and for its author once it is approved. A stale base refuses it (STALE_BASE) and nothing is written. ' +
      'A config request with a future `runAt` creates a scheduled change (`scheduledChangeId`) instead; a rollout-plan request creates and starts the plan; ' +
      'a segment request writes the segment update.',
  })
  @ApiOkResponse({ type: ChangeRequestResponse })
  @ApiErrors(
    { status: 400, description: 'VALIDATION_FAILED: the config no longer fits the flag (a variant or segment it names is gone)' },
    401,
    { status: 403, description: 'FORBIDDEN: neither its author nor one of its approvers' },
    404,
    {
      status: 409,
      description:
        'NOT_APPROVED: not approved (yet); STALE_BASE: the base moved (`details.current` is the current config or segment); CONFLICT: the plan is refused (a plan already active, a running experiment); nothing was written',
    },
  )
  apply(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('number', RequestNumberPipe) number: number,
  ): Promise<ChangeRequestResponse> {
    return this.requests.apply(reviewerOf(principal), projectKey, number);
  }

  @Post(':number/rebase')
  @HttpCode(200)
  @Access('editor')
  @ApiRequestNumber()
  @ApiOperation({ summary: 'Base the request on the current version (optionally with a new config); approvals reset, status back to pending. Author only.' })
  @ApiOkResponse({ type: ChangeRequestResponse })
  @ApiErrors(400, 401, { status: 403, description: 'FORBIDDEN: not its author' }, 404, {
    status: 409,
    description: 'VERSION_CONFLICT: `baseVersion` is not the current one; CONFLICT: the request is applied or cancelled',
  })
  rebase(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('number', RequestNumberPipe) number: number,
    @Body() body: RebaseChangeRequestDto,
  ): Promise<ChangeRequestResponse> {
    return this.requests.rebase(reviewerOf(principal), projectKey, number, body.baseVersion, body.change ? toEditableConfig(body.change) : undefined);
  }

  @Post(':number/cancel')
  @HttpCode(200)
  @Access('editor')
  @ApiRequestNumber()
  @ApiOperation({ summary: 'Withdraw a request (author or admin)' })
  @ApiOkResponse({ type: ChangeRequestResponse })
  @ApiErrors(400, 401, { status: 403, description: 'FORBIDDEN: neither its author nor an admin' }, 404, NOT_OPEN)
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('number', RequestNumberPipe) number: number,
  ): Promise<ChangeRequestResponse> {
    return this.requests.cancel(reviewerOf(principal), projectKey, number);
  }
}
