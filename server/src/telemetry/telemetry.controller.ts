import type { IncomingMessage } from 'node:http';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponse } from '../common/errors/error-response.js';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ProjectsService } from '../projects/projects.service.js';
import { EventsBodyPipe } from './dto/events-body.pipe.js';
import { EventsDto } from './dto/events.dto.js';
import { CATALOGUE_DEFAULT_LIMIT, CATALOGUE_DEFAULT_WINDOW_MINUTES, MetricCatalogueQueryDto, MetricCatalogueResponse } from './dto/metric-catalogue.dto.js';
import { EvaluationsQueryDto, SamplesQueryDto, SeriesQueryDto, TimeRangeQueryDto } from './dto/telemetry-query.dto.js';
import {
  EvaluationCountsResponse,
  IngestResultResponse,
  LastEvaluatedResponse,
  MetricSeriesResultResponse,
  ShadowSamplesResponse,
} from './dto/telemetry.response.js';
import { TelemetryService } from './telemetry.service.js';

const HOUR_MS = 3_600_000;

const rangeOf = (query: TimeRangeQueryDto): { from: Date; to: Date } => {
  const to = query.to ?? new Date();
  return { from: query.from ?? new Date(to.getTime() - HOUR_MS), to };
};

/** Telemetry ingestion from SDKs. */
@ApiTags('sdk')
@ApiBearerAuth()
@Controller('sdk')
export class TelemetryIngestController {
  constructor(private readonly telemetry: TelemetryService) {}

  @Post('events')
  @HttpCode(202)
  @Access('sdk')
  @ApiOperation({ summary: 'SDK telemetry batches (metric aggregates, evaluation counts, samples), merged into per-minute rollups. At most 1 MB' })
  @ApiBody({ type: EventsDto })
  @ApiAcceptedResponse({ type: IngestResultResponse })
  @ApiErrors(400, 401, 403)
  @ApiServiceUnavailableResponse({
    type: ErrorResponse,
    description:
      'UNAVAILABLE, with Retry-After: the instance holds SIGNALBOX_TELEMETRY_MAX_HELD_ROWS rollup rows the database has not taken (an outage); ' +
      'nothing of this request was kept, send it again later',
  })
  // EventsDto is marked validatedByOwnPipe: the global pipe bounds it (naming its limits), EventsBodyPipe validates it (same rules, a fast path).
  ingest(@CurrentPrincipal() principal: Principal, @Body(EventsBodyPipe) body: EventsDto, @Req() req: IncomingMessage): Promise<IngestResultResponse> {
    if (principal.kind !== 'sdk') throw new Error('SDK route reached without an SDK key');
    return this.telemetry.ingest(principal.environmentId, body, new Date(), undefined, () => req.socket.destroyed);
  }
}

/** Reading telemetry: per environment series, evaluation counts and samples; last evaluations per project. */
@ApiTags('telemetry')
@ApiBearerAuth()
@Controller('projects/:projectKey')
export class TelemetryQueryController {
  constructor(
    private readonly telemetry: TelemetryService,
    private readonly projects: ProjectsService,
  ) {}

  @Get('environments/:environmentKey/metrics')
  @Access('viewer')
  @ApiOperation({
    summary:
      'The metric names SDKs reported in the environment in the last 7 days (optionally under one flag), by name, a page at a time: when each was ' +
      'last seen, its observations and failures over a recent window, and whether it carries values (durations) or only 0/1',
  })
  @ApiOkResponse({ type: MetricCatalogueResponse })
  @ApiErrors(400, 401, 403, 404)
  async metrics(
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Query() query: MetricCatalogueQueryDto,
  ): Promise<MetricCatalogueResponse> {
    const environment = await this.projects.environment(await this.projects.project(projectKey), environmentKey);
    return this.telemetry.catalogue(environment.id, {
      flagKey: query.flag,
      windowMinutes: query.windowMinutes ?? CATALOGUE_DEFAULT_WINDOW_MINUTES,
      limit: query.limit ?? CATALOGUE_DEFAULT_LIMIT,
      after: query.after,
    });
  }

  @Get('environments/:environmentKey/telemetry/series')
  @Access('viewer')
  @ApiOperation({ summary: 'Time series per flag, variant and metric: count, rate, mean, p50/p95/p99, error rate per step, and totals' })
  @ApiOkResponse({ type: MetricSeriesResultResponse })
  @ApiErrors(400, 401, 403, 404)
  async series(
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Query() query: SeriesQueryDto,
  ): Promise<MetricSeriesResultResponse> {
    const environment = await this.projects.environment(await this.projects.project(projectKey), environmentKey);
    return this.telemetry.series(environment.id, {
      ...rangeOf(query),
      flagKey: query.flag,
      metric: query.metric,
      variantKey: query.variant,
      stepMinutes: query.stepMinutes,
    });
  }

  @Get('environments/:environmentKey/telemetry/evaluations')
  @Access('viewer')
  @ApiOperation({ summary: 'Evaluations per flag, variant and reason over a time range; with stepMinutes, also per step' })
  @ApiOkResponse({ type: EvaluationCountsResponse })
  @ApiErrors(400, 401, 403, 404)
  async evaluations(
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Query() query: EvaluationsQueryDto,
  ): Promise<EvaluationCountsResponse> {
    const environment = await this.projects.environment(await this.projects.project(projectKey), environmentKey);
    const range = { ...rangeOf(query), flagKey: query.flag };
    const evaluations = await this.telemetry.evaluationCounts(environment.id, range);
    if (query.stepMinutes === undefined) return { evaluations };
    return { evaluations, steps: await this.telemetry.evaluationSteps(environment.id, { ...range, stepMinutes: query.stepMinutes }) };
  }

  @Get('environments/:environmentKey/telemetry/samples')
  @Access('viewer')
  @ApiOperation({ summary: 'Newest shadow-run samples (disagreements, candidate failures)' })
  @ApiOkResponse({ type: ShadowSamplesResponse })
  @ApiErrors(400, 401, 403, 404)
  async samples(
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Query() query: SamplesQueryDto,
  ): Promise<ShadowSamplesResponse> {
    const environment = await this.projects.environment(await this.projects.project(projectKey), environmentKey);
    return { samples: await this.telemetry.samples(environment.id, query.flag, query.limit ?? 20) };
  }

  @Get('telemetry/last-evaluated')
  @Access('viewer')
  @ApiOperation({ summary: 'When each flag was last evaluated by an SDK, per environment key (flags never evaluated are absent)' })
  @ApiOkResponse({ type: LastEvaluatedResponse })
  @ApiErrors(400, 401, 403, 404)
  async lastEvaluated(@Param('projectKey') projectKey: string): Promise<LastEvaluatedResponse> {
    const environments = await this.projects.environments((await this.projects.project(projectKey)).id);
    const keyOf = new Map(environments.map((e) => [e.id, e.key]));
    const byFlag = await this.telemetry.lastEvaluated(environments.map((e) => e.id));
    return {
      flags: [...byFlag].map(([flag, byEnvironment]) => ({
        flag,
        environments: Object.fromEntries([...byEnvironment].map(([id, at]) => [keyOf.get(id) ?? id, at.toISOString()])),
      })),
    };
  }
}
