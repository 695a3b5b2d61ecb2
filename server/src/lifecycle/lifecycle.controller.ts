import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { StaleFlagsQueryDto, StaleFlagsReportResponse } from './dto/stale-flags.dto.js';
import { LifecycleService } from './lifecycle.service.js';

// Registered before FlagsController (see app.module.ts), so `stale` is not taken for a flag key.
@ApiTags('flags')
@ApiBearerAuth()
@Controller('projects/:projectKey/flags/stale')
export class LifecycleController {
  constructor(private readonly lifecycle: LifecycleService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({
    summary:
      'Stale-flag report: active flags past expiry, serving one variant to everyone for `singleVariantHours` (default 48), or evaluated by no SDK ' +
      'for `unusedDays` (default 7), each with its reasons',
  })
  @ApiOkResponse({ type: StaleFlagsReportResponse })
  @ApiErrors(400, 401, 403, 404)
  report(@Param('projectKey') projectKey: string, @Query() query: StaleFlagsQueryDto): Promise<StaleFlagsReportResponse> {
    return this.lifecycle.staleReport(projectKey, { singleVariantHours: query.singleVariantHours, unusedDays: query.unusedDays });
  }
}
