import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EvaluationResult, Explanation } from '@signalbox/sdk/core';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { EvaluateAllDto, EvaluateFlagDto } from './dto/evaluate.dto.js';
import { EvaluationService } from './evaluation.service.js';

const environmentOf = (principal: Principal): string => {
  if (principal.kind !== 'sdk') throw new Error('SDK route reached without an SDK key');
  return principal.environmentId;
};

@ApiTags('sdk')
@ApiBearerAuth()
@Controller('sdk')
export class SdkEvaluationController {
  constructor(private readonly evaluation: EvaluationService) {}

  @Post('evaluate')
  @HttpCode(200)
  @Access('sdk')
  @ApiOperation({ summary: 'Evaluate every flag of the SDK key\'s environment for a context (for clients that cannot evaluate locally)' })
  evaluateAll(@CurrentPrincipal() principal: Principal, @Body() body: EvaluateAllDto): Promise<{ sequence: number; flags: Record<string, EvaluationResult> }> {
    return this.evaluation.evaluateAll(environmentOf(principal), body.context);
  }

  @Post('evaluate/:flagKey')
  @HttpCode(200)
  @Access('sdk')
  @ApiOperation({ summary: 'Evaluate one flag for a context; unknown flags answer the default with reason ERROR / FLAG_NOT_FOUND' })
  evaluate(@CurrentPrincipal() principal: Principal, @Param('flagKey') flagKey: string, @Body() body: EvaluateFlagDto): Promise<EvaluationResult & { flagKey: string }> {
    return this.evaluation.evaluateFlag(environmentOf(principal), flagKey, body.context, body.defaultValue ?? null, body.type);
  }
}

@ApiTags('flags')
@ApiBearerAuth()
@Controller('projects/:projectKey/flags/:key/environments/:environmentKey/explain')
export class ExplainController {
  constructor(private readonly evaluation: EvaluationService) {}

  @Post()
  @HttpCode(200)
  @Access('viewer')
  @ApiOperation({ summary: 'Test a context: what it is served, which step decided, and why each earlier rule did not match' })
  explain(@Param('projectKey') projectKey: string, @Param('key') key: string, @Param('environmentKey') environmentKey: string, @Body() body: EvaluateAllDto): Promise<Explanation> {
    return this.evaluation.explain(projectKey, key, environmentKey, body.context);
  }
}
