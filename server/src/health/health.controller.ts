import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { ErrorResponse } from '../common/errors/error-response.js';
import { DeliveryHealth } from './delivery-health.service.js';
import { HealthResponse, ReadinessResponse } from './dto/health.response.js';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly delivery: DeliveryHealth) {}

  @Get('healthz')
  @Access('public')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ type: HealthResponse })
  health(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Access('public')
  @ApiOperation({
    summary: 'Readiness: not shutting down, the database answers, LISTEN is up and delivery keeps up with the change log (503 naming what is wrong otherwise)',
  })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'UNAVAILABLE: not ready; `message` and `details.reasons` name each thing that is wrong' })
  async ready(): Promise<ReadinessResponse> {
    const readiness = await this.delivery.readiness();
    if (!readiness.ready) throw new ServiceUnavailableException({ message: readiness.reasons.join('; '), details: { reasons: readiness.reasons } });
    return { status: 'ready' };
  }
}
