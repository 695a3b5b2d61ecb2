import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access } from '../auth/access.decorator.js';
import { secretsEqual } from '../auth/secrets.js';
import { unauthenticated } from '../common/errors/domain-error.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Scrapers use their own bearer token (SIGNALBOX_METRICS_TOKEN), not a user's credentials.
  @Get()
  @Access('public')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus scrape; when SIGNALBOX_METRICS_TOKEN is set, send it as a bearer token' })
  @ApiOkResponse({ description: 'The Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiErrors({ status: 401, description: 'UNAUTHENTICATED: SIGNALBOX_METRICS_TOKEN is set and the request does not carry it as a bearer token' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (this.config.metricsToken) {
      const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (!presented || !secretsEqual(presented, this.config.metricsToken)) throw unauthenticated('Send the metrics token as a bearer token');
    }
    res.setHeader('content-type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
