import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { AuditService, type AuditPage } from './audit.service.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Audit log, newest first, filtered and paginated by cursor' })
  list(@Query() query: AuditQueryDto): Promise<AuditPage> {
    return this.audit.query({
      projectKey: query.project,
      environmentKey: query.environment,
      resourceType: query.flag ? 'flag' : query.resourceType,
      resourceKey: query.flag,
      actorName: query.actor,
      from: query.from,
      to: query.to,
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }
}
