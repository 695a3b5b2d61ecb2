import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { permits } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { AuditService } from './audit.service.js';
import { AuditPageResponse } from './dto/audit-entry.response.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Audit log, newest first, filtered and paginated by cursor' })
  @ApiOkResponse({ type: AuditPageResponse })
  @ApiErrors(400, 401, 403)
  list(@CurrentPrincipal() principal: Principal, @Query() query: AuditQueryDto): Promise<AuditPageResponse> {
    // Entries about users, API tokens and webhooks are for admins only (see ADMIN_ONLY_RESOURCE_TYPES).
    const audience = permits(principal, 'admin') ? 'admin' : 'member';
    return this.audit.query(
      {
        projectKey: query.project,
        environmentKey: query.environment,
        resourceType: query.flag ? 'flag' : query.resourceType,
        resourceKey: query.flag,
        actorName: query.actor,
        from: query.from,
        to: query.to,
        cursor: query.cursor,
        limit: query.limit ?? 50,
      },
      audience,
    );
  }
}
