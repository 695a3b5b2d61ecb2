import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import {
  CreateExperimentDto,
  ExperimentRecommendationResponse,
  ExperimentResponse,
  ExperimentResultsResponse,
  ListExperimentsQueryDto,
  PromoteExperimentDto,
  RollbackExperimentDto,
  StopExperimentDto,
  UpdateExperimentDto,
} from './dto/experiment.dto.js';
import { ExperimentsService } from './experiments.service.js';

@ApiTags('experiments')
@ApiBearerAuth()
@Controller('projects/:projectKey/experiments')
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'List experiments, newest first' })
  @ApiOkResponse({ type: [ExperimentResponse] })
  @ApiErrors(400, 401, 403, 404)
  list(@Param('projectKey') projectKey: string, @Query() query: ListExperimentsQueryDto): Promise<ExperimentResponse[]> {
    return this.experiments.list(projectKey, query);
  }

  @Post()
  @Access('editor')
  @ApiOperation({ summary: 'Start an experiment on a flag in an environment (409 if one already runs there)' })
  @ApiCreatedResponse({ type: ExperimentResponse })
  @ApiErrors(400, 401, 403, 404, {
    status: 409,
    description:
      'CONFLICT: the experiment key is taken, or an experiment already runs on the flag in the environment (one at a time; details name it and its results, which can be read by segment)',
  })
  create(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: CreateExperimentDto): Promise<ExperimentResponse> {
    return this.experiments.create(actorOf(principal), projectKey, body);
  }

  @Get(':experimentKey')
  @Access('viewer')
  @ApiOperation({ summary: 'One experiment' })
  @ApiOkResponse({ type: ExperimentResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@Param('projectKey') projectKey: string, @Param('experimentKey') key: string): Promise<ExperimentResponse> {
    return this.experiments.get(projectKey, key);
  }

  @Patch(':experimentKey')
  @Access('editor')
  @ApiOperation({
    summary: "Change a running experiment's MDE, guardrails, alpha, power, analysis, maximum duration or auto-rollback (audited with the reason)",
  })
  @ApiOkResponse({ type: ExperimentResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the experiment is closed' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('experimentKey') key: string,
    @Body() body: UpdateExperimentDto,
  ): Promise<ExperimentResponse> {
    return this.experiments.update(actorOf(principal), projectKey, key, body);
  }

  @Post(':experimentKey/stop')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Close the experiment without a decision: the flag keeps serving what it serves' })
  @ApiOkResponse({ type: ExperimentResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the experiment is already closed' })
  stop(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('experimentKey') key: string,
    @Body() body: StopExperimentDto,
  ): Promise<ExperimentResponse> {
    return this.experiments.stop(actorOf(principal), projectKey, key, body.reason);
  }

  @Get(':experimentKey/results')
  @Access('viewer')
  @ApiOperation({ summary: 'Per-variant estimates, comparisons with control, sample size, sample-ratio check and recommendation' })
  @ApiOkResponse({ type: ExperimentResultsResponse })
  @ApiErrors(400, 401, 403, 404)
  results(@Param('projectKey') projectKey: string, @Param('experimentKey') key: string): Promise<ExperimentResultsResponse> {
    return this.experiments.results(projectKey, key);
  }

  @Post(':experimentKey/promote')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: "Send the winner (or the named variant) to 100% of the flag's default rule and close the experiment" })
  @ApiOkResponse({ type: ExperimentResponse })
  @ApiErrors(400, 401, 403, 404, {
    status: 409,
    description:
      'CONFLICT: the experiment is closed, has no winner and no variant was named, or has a sample-ratio mismatch (details.code SAMPLE_RATIO_MISMATCH) and overrideSrm was not given',
  })
  promote(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('experimentKey') key: string,
    @Body() body: PromoteExperimentDto,
  ): Promise<ExperimentResponse> {
    return this.experiments.promote(actorOf(principal), projectKey, key, body);
  }

  @Post(':experimentKey/rollback')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: "Send the flag's default rule back to control and close the experiment" })
  @ApiOkResponse({ type: ExperimentResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the experiment is already closed' })
  rollback(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('experimentKey') key: string,
    @Body() body: RollbackExperimentDto,
  ): Promise<ExperimentResponse> {
    return this.experiments.rollback(actorOf(principal), projectKey, key, body);
  }
}

@ApiTags('experiments')
@ApiBearerAuth()
@Controller('projects/:projectKey/experiment-recommendations')
export class ExperimentRecommendationsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: "What each running experiment's results recommend now (the list's badges in one request)" })
  @ApiOkResponse({ type: [ExperimentRecommendationResponse] })
  @ApiErrors(400, 401, 403, 404)
  list(@Param('projectKey') projectKey: string): Promise<ExperimentRecommendationResponse[]> {
    return this.experiments.recommendations(projectKey);
  }
}
