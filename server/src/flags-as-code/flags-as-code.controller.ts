import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ErrorResponse } from '../common/errors/error-response.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ApplyRequestDto, CopyEnvironmentDto, ExportQueryDto, PlanRequestDto } from './dto/plan-request.dto.js';
import { PlanResponse } from './dto/plan.response.js';
import { FileConfigDto, SignalboxFileDto } from './dto/signalbox-file.dto.js';
import { toYaml } from './file-export.js';
import { FlagsAsCodeService } from './flags-as-code.service.js';
import type { SignalboxFile } from './signalbox-file.js';

const STALE = {
  status: 409,
  description: 'VERSION_CONFLICT: items moved since the file was exported (`details.conflicts` names them); nothing was written',
} as const;
const TOO_LARGE = { status: 413, type: ErrorResponse, description: 'PAYLOAD_TOO_LARGE: the request is over 1 MB' } as const;

@ApiTags('flags as code')
@ApiBearerAuth()
@Controller('projects/:projectKey')
export class FlagsAsCodeController {
  constructor(private readonly service: FlagsAsCodeService) {}

  @Get('export')
  @Access('viewer')
  @ApiOperation({ summary: 'The project as a Signalbox file (flags, segments, configs; never secrets or kill state)' })
  @ApiExtraModels(SignalboxFileDto, FileConfigDto)
  @ApiOkResponse({
    description: 'The file (docs/signalbox-file.schema.json): YAML by default, JSON with format=json',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SignalboxFileDto) } },
      'application/yaml': { schema: { type: 'string' } },
    },
  })
  @ApiErrors(400, 401, 403, 404)
  async export(
    @Param('projectKey') projectKey: string,
    @Query() query: ExportQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SignalboxFile | string> {
    const environments = query.environments
      ?.split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const file = await this.service.export(projectKey, environments);
    if (query.format === 'json') return file;
    res.type('application/yaml; charset=utf-8');
    return toYaml(file);
  }

  @Post('plan')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'What applying a Signalbox file would change, and what conflicts; changes nothing' })
  @ApiOkResponse({ type: PlanResponse })
  @ApiErrors(400, 401, 403, 404)
  @ApiResponse(TOO_LARGE)
  plan(@Param('projectKey') projectKey: string, @Body() body: PlanRequestDto): Promise<PlanResponse> {
    return this.service.plan(projectKey, body.file, body.prune);
  }

  @Post('apply')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: "Make a Signalbox file's changes in one transaction, audited as coming from the file" })
  @ApiOkResponse({ type: PlanResponse })
  @ApiErrors(400, 401, 403, 404, STALE)
  @ApiResponse(TOO_LARGE)
  apply(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: ApplyRequestDto): Promise<PlanResponse> {
    return this.service.apply(actorOf(principal), projectKey, body.file, { reason: body.reason, prune: body.prune });
  }

  @Post('environments/:target/copy-from/:source')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: "Copy one environment's flag configs onto another (plan with dryRun, else apply)" })
  @ApiOkResponse({ type: PlanResponse })
  @ApiErrors(400, 401, 403, 404, STALE)
  copy(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('target') target: string,
    @Param('source') source: string,
    @Body() body: CopyEnvironmentDto,
  ): Promise<PlanResponse> {
    return this.service.copyEnvironment(actorOf(principal), projectKey, source, target, body);
  }
}
