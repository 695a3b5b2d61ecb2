import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { DeliveryHealth } from './delivery-health.service.js';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly delivery: DeliveryHealth) {}

  @Get('healthz')
  @Access('public')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Access('public')
  @ApiOperation({
    summary: 'Readiness: not shutting down, the database answers, LISTEN is up and delivery keeps up with the change log (503 naming what is wrong otherwise)',
  })
  async ready(): Promise<{ status: 'ready' }> {
    const readiness = await this.delivery.readiness();
    if (!readiness.ready) throw new ServiceUnavailableException(readiness.reasons.join('; '));
    return { status: 'ready' };
  }
}
