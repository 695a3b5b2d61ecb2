import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { EvaluateAllDto } from './dto/evaluate.dto.js';
import { EnvironmentEvaluationResponse } from './dto/environment-evaluation.response.js';
import { EvaluationService } from './evaluation.service.js';

// "What does run X see?" for people and API tokens. SDK keys evaluate through /sdk/evaluate instead,
// which is scoped to the key's own environment; @Access refuses them here.
@ApiTags('evaluation')
@ApiBearerAuth()
@Controller('projects/:projectKey/environments/:environmentKey/evaluate')
export class EnvironmentEvaluationController {
  constructor(private readonly evaluation: EvaluationService) {}

  @Post()
  @HttpCode(200)
  @Access('viewer')
  @ApiOperation({
    summary: 'Evaluate every flag of an environment for one context: value, variant, reason and the rule that decided',
    description: 'Runs the SDK evaluation core on the server’s current snapshot; no evaluation is recorded and nothing changes.',
  })
  @ApiOkResponse({ type: EnvironmentEvaluationResponse })
  @ApiErrors(400, 401, 403, 404)
  evaluate(
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: EvaluateAllDto,
  ): Promise<EnvironmentEvaluationResponse> {
    return this.evaluation.evaluateEnvironment(projectKey, environmentKey, body.context);
  }
}
