import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Explanation } from '@signalbox/sdk/core';
import { Access } from '../auth/access.decorator.js';
import { EvaluateAllDto } from './dto/evaluate.dto.js';
import { EvaluationService } from './evaluation.service.js';

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
