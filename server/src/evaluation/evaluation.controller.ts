import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { EvaluateAllDto } from './dto/evaluate.dto.js';
import { ExplanationResponse } from './dto/explanation.response.js';
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
  @ApiOkResponse({ type: ExplanationResponse })
  @ApiErrors(400, 401, 403, 404)
  explain(
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: EvaluateAllDto,
  ): Promise<ExplanationResponse> {
    return this.evaluation.explain(projectKey, key, environmentKey, body.context);
  }
}
