import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { Database } from '../database/database.service.js';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly db: Database) {}

  @Get('healthz')
  @Access('public')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Access('public')
  @ApiOperation({ summary: 'Readiness: the database answers' })
  async ready(): Promise<{ status: 'ready' }> {
    try {
      await this.db.ping();
      return { status: 'ready' };
    } catch {
      throw new ServiceUnavailableException('The database does not answer');
    }
  }
}
