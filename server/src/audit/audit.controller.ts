import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { permits } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
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
  list(@CurrentPrincipal() principal: Principal, @Query() query: AuditQueryDto): Promise<AuditPage> {
    // Entries about users, API tokens and webhooks are for admins only (see ADMIN_ONLY_RESOURCE_TYPES).
    const audience = permits(principal, 'admin') ? 'admin' : 'member';
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
    }, audience);
  }
}
