import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { ServerMessage, StreamHelloMessage } from '@signalbox/sdk/protocol';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { notFound } from '../common/errors/domain-error.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ProjectsService } from '../projects/projects.service.js';
import { ChangesService } from '../changes/changes.service.js';
import { ChangeRelay } from './change-relay.service.js';
import { DeliveryStatusResponse } from './dto/delivery-status.response.js';
import { PresenceService } from './presence.service.js';
import { SseHeartbeat, sseEncoder, sseFramesOf, sseRefusalFrame } from './sse-frames.js';
import type { Subscriber } from './subscriber.js';

class StreamAckDto {
  @ApiProperty({ description: "From the stream's `hello` event" })
  @IsString()
  @MaxLength(64)
  connectionId: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  sequence: number;
}

const environmentOf = (principal: Principal): { environmentId: string; keyId: string } => {
  if (principal.kind !== 'sdk') throw new Error('SDK route reached without an SDK key');
  return { environmentId: principal.environmentId, keyId: principal.keyId };
};

const sequenceFrom = (...candidates: Array<string | undefined>): number => {
  for (const candidate of candidates) {
    const n = Number(candidate);
    if (candidate !== undefined && Number.isSafeInteger(n) && n > 0) return n;
  }
  return 0;
};

/** Delivery for clients without socket.io: an SSE stream and its acks (the snapshot is in sdk-api/). */
@ApiTags('sdk')
@ApiBearerAuth()
@Controller('sdk')
export class SdkDeliveryController {
  private readonly logger = new Logger('sdk-stream');

  constructor(
    private readonly relay: ChangeRelay,
    private readonly heartbeat: SseHeartbeat,
  ) {}

  @Get('stream')
  @Access('sdk')
  @ApiOperation({
    summary:
      'Server-Sent Events: `hello`, then a `snapshot` or the missed `change`s, then every change (event id = sequence). Resume with Last-Event-ID ' +
      'or ?sequence=',
  })
  @ApiOkResponse({
    description: "An event stream that stays open; each event's data is a JSON wire message of @signalbox/sdk/protocol, and a `refused` event ends it",
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiQuery({ name: 'sequence', required: false, type: Number, description: 'Resume after this change (as Last-Event-ID does)' })
  @ApiQuery({ name: 'client', required: false, type: String, description: "The SDK's instance id, shown in delivery status" })
  @ApiErrors(400, 401, 403)
  stream(
    @CurrentPrincipal() principal: Principal,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('sequence') sequence: string | undefined,
    @Query('client') client: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const { environmentId, keyId } = environmentOf(principal);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const connectionId = `sse:${randomUUID()}`;
    // A stream can end from either side at any moment (client gone, key revoked, shutdown): every
    // write after that is dropped, and a socket error is this connection's problem, never the process's.
    // Messages are encoded once for every stream of the environment (sse-frames.ts): the same bytes go to each.
    const open = () => !res.writableEnded && !res.destroyed;
    const write = (frame: Buffer) => {
      if (open()) res.write(frame);
    };
    res.on('error', (err) => this.logger.debug({ reason: err.message }, 'SSE connection failed'));
    this.heartbeat.add(res);
    const subscriber: Subscriber = {
      id: connectionId,
      keyId,
      environmentId,
      transport: 'sse',
      client: typeof client === 'string' ? client.slice(0, 200) : null,
      sent: 0,
      send: (messages: ServerMessage[]) => write(sseFramesOf(messages)),
      close: (why) => {
        if (why) write(sseRefusalFrame(why));
        this.heartbeat.delete(res);
        if (open()) res.end();
      },
    };
    req.on('close', () => {
      this.heartbeat.delete(res);
      this.relay.unsubscribeSubscriber(subscriber);
    });
    write(sseEncoder.encode('hello', undefined, { type: 'hello', connectionId } satisfies StreamHelloMessage));
    this.relay.subscribe(subscriber, sequenceFrom(lastEventId, sequence)).catch((err: unknown) => {
      this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not bring an SSE client up to date');
      // The client resumes from its Last-Event-ID, so nothing is lost by asking it to come back.
      this.relay.end(subscriber, { error: 'UNAVAILABLE', message: 'The server could not read the change log; retry', retryAfterMs: 1_000 });
    });
  }

  @Post('ack')
  @HttpCode(204)
  @Access('sdk')
  @ApiOperation({ summary: 'An SSE client confirms the newest sequence it applied' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, { status: 404, description: 'NOT_FOUND: no open stream of this environment has this connectionId' })
  ack(@CurrentPrincipal() principal: Principal, @Body() body: StreamAckDto): void {
    const subscriber = this.relay.subscriber(body.connectionId);
    if (!subscriber || subscriber.environmentId !== environmentOf(principal).environmentId) throw notFound('Stream', body.connectionId);
    this.relay.ack(body.connectionId, body.sequence);
  }
}

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects/:projectKey/environments/:environmentKey/delivery')
export class DeliveryStatusController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly changes: ChangesService,
    private readonly presence: PresenceService,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'How many connected SDKs confirmed the newest change (or ?sequence=N)' })
  @ApiOkResponse({ type: DeliveryStatusResponse })
  @ApiQuery({ name: 'sequence', required: false, type: Number, description: 'The change to count confirmations of; absent: the newest' })
  @ApiErrors(400, 401, 403, 404)
  async status(
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Query('sequence') sequence?: string,
  ): Promise<DeliveryStatusResponse> {
    const environment = await this.projects.environment(await this.projects.project(projectKey), environmentKey);
    const target = sequenceFrom(sequence) || (await this.changes.head(environment.id));
    return { environment: environmentKey, sequence: target, ...(await this.presence.confirmations(environment.id, target)) };
  }
}
