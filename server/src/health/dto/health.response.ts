import { ApiProperty } from '@nestjs/swagger';

/** GET /healthz: the process is up and answers HTTP. */
export class HealthResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}

/** GET /readyz when this instance can deliver; otherwise a 503 ErrorResponse whose `details.reasons` say why not. */
export class ReadinessResponse {
  @ApiProperty({ enum: ['ready'] }) status: 'ready';
}
