import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { CreateSegmentDto, DeleteSegmentQueryDto, UpdateSegmentDto } from './dto/segment.dto.js';
import { SegmentsService, type SegmentView } from './segments.service.js';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('projects/:projectKey/segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Get()
  @Access('viewer')
  list(@Param('projectKey') projectKey: string): Promise<SegmentView[]> {
    return this.segments.list(projectKey);
  }

  @Post()
  @Access('editor')
  create(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: CreateSegmentDto): Promise<SegmentView> {
    return this.segments.create(actorOf(principal), projectKey, body);
  }

  @Get(':key')
  @Access('viewer')
  get(@Param('projectKey') projectKey: string, @Param('key') key: string): Promise<SegmentView> {
    return this.segments.get(projectKey, key);
  }

  @Patch(':key')
  @Access('editor')
  update(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Body() body: UpdateSegmentDto): Promise<SegmentView> {
    return this.segments.update(actorOf(principal), projectKey, key, body);
  }

  @Delete(':key')
  @HttpCode(204)
  @Access('editor')
  @ApiOperation({ summary: 'Delete a segment; 409 naming the flags that still use it' })
  delete(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Query() query: DeleteSegmentQueryDto): Promise<void> {
    return this.segments.delete(actorOf(principal), projectKey, key, query.reason);
  }
}
