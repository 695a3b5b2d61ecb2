import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ChangeRequestGate } from '../change-requests/change-request-gate.service.js';
import { ChangeRequestCreatedResponse } from '../change-requests/dto/change-request.response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { CreateSegmentDto, DeleteSegmentQueryDto, UpdateSegmentDto } from './dto/segment.dto.js';
import { SegmentResponse } from './dto/segment.response.js';
import { toNewSegment, toSegmentChange } from './segment-changes.mapper.js';
import { SegmentsService } from './segments.service.js';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('projects/:projectKey/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly approval: ChangeRequestGate,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: "The project's segments" })
  @ApiOkResponse({ type: [SegmentResponse] })
  @ApiErrors(400, 401, 403, 404)
  list(@Param('projectKey') projectKey: string): Promise<SegmentResponse[]> {
    return this.segments.list(projectKey);
  }

  @Post()
  @Access('editor')
  @ApiOperation({ summary: 'Create a segment' })
  @ApiCreatedResponse({ type: SegmentResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the segment key is taken in this project' })
  create(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: CreateSegmentDto): Promise<SegmentResponse> {
    return this.segments.create(actorOf(principal), projectKey, toNewSegment(body));
  }

  @Get(':key')
  @Access('viewer')
  @ApiOperation({ summary: 'One segment' })
  @ApiOkResponse({ type: SegmentResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@Param('projectKey') projectKey: string, @Param('key') key: string): Promise<SegmentResponse> {
    return this.segments.get(projectKey, key);
  }

  @Patch(':key')
  @Access('editor')
  @ApiOperation({
    summary: 'Change a segment based on `version` (absent = unchanged)',
    description:
      'When a flag config in an environment that requires approval uses the segment, it answers 202 with a pending `segment` change request ' +
      '(environment: the first such environment; requiredApprovals: the largest of theirs) and nothing is written.',
  })
  @ApiOkResponse({ type: SegmentResponse })
  @ApiAcceptedResponse({
    type: ChangeRequestCreatedResponse,
    description: 'The segment is used in an environment that requires approval: a pending change request was made from the update, and nothing was written',
  })
  @ApiErrors(400, 401, 403, 404, {
    status: 409,
    description: 'VERSION_CONFLICT: the segment changed since `version`; `details` hold currentVersion and the current segment',
  })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Body() body: UpdateSegmentDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SegmentResponse | ChangeRequestCreatedResponse> {
    const request = await this.approval.segmentUpdate(principal, projectKey, key, body);
    if (request) {
      res.status(HttpStatus.ACCEPTED);
      return request;
    }
    return this.segments.update(actorOf(principal), projectKey, key, toSegmentChange(body));
  }

  @Delete(':key')
  @HttpCode(204)
  @Access('editor')
  @ApiOperation({ summary: 'Delete a segment; 409 naming the flags that still use it' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: flags still use the segment; `details.flags` names them' })
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Query() query: DeleteSegmentQueryDto,
  ): Promise<void> {
    return this.segments.delete(actorOf(principal), projectKey, key, query.reason);
  }
}
