import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ShadowReportQueryDto, ShadowReportResponse } from './dto/shadow-report.dto.js';
import { ShadowReportsService } from './shadow-reports.service.js';

@ApiTags('shadow-reports')
@ApiBearerAuth()
@Controller('projects/:projectKey/flags/:key/environments/:environmentKey/shadow-report')
export class ShadowReportsController {
  constructor(private readonly reports: ShadowReportsService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({
    summary: 'How a shadow candidate compares with the primary: agreement, latency p50/p95, errors, examples, and whether it is ready for a canary',
  })
  @ApiOkResponse({ type: ShadowReportResponse })
  @ApiErrors(400, 401, 403, 404)
  report(
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Query() query: ShadowReportQueryDto,
  ): Promise<ShadowReportResponse> {
    return this.reports.report(projectKey, key, environmentKey, query);
  }
}
