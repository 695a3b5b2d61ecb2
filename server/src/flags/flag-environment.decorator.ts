import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import { validationFailed } from '../common/errors/domain-error.js';
import { unstorableInputProblems } from '../common/validation/validation-pipe.js';

/** One flag in one environment of a project, as addressed by `projects/:projectKey/flags/:key/environments/:environmentKey`. */
export interface FlagEnvironmentRef {
  readonly projectKey: string;
  readonly flagKey: string;
  readonly environmentKey: string;
}

/** The flag environment named by the route. Pair it with `ApiFlagEnvironmentParams()` on the controller. */
export const FlagEnvironment = createParamDecorator((_: unknown, ctx: ExecutionContext): FlagEnvironmentRef => {
  const { projectKey, key, environmentKey } = ctx.switchToHttp().getRequest<Request>().params;
  // A route without these segments is a wiring mistake; failing beats looking up `undefined`.
  if (typeof projectKey !== 'string' || typeof key !== 'string' || typeof environmentKey !== 'string') {
    throw new Error('FlagEnvironment used on a route without :projectKey, :key and :environmentKey');
  }
  // Pipes skip custom decorators, so the check every `@Param()` gets (no U+0000, no unpaired
  // surrogate: PostgreSQL refuses both) is made here, with the same field names.
  const problems = [
    ...unstorableInputProblems(projectKey, 'projectKey'),
    ...unstorableInputProblems(key, 'key'),
    ...unstorableInputProblems(environmentKey, 'environmentKey'),
  ];
  if (problems.length > 0) throw validationFailed(problems);
  return { projectKey, flagKey: key, environmentKey };
});

/**
 * Documents the three path parameters on every route of the controller: `@FlagEnvironment()` is a
 * custom decorator, so @nestjs/swagger cannot infer them the way it does from `@Param()`.
 */
export const ApiFlagEnvironmentParams = () =>
  applyDecorators(
    ApiParam({ name: 'projectKey', type: String, required: true, description: "The project's key" }),
    ApiParam({ name: 'key', type: String, required: true, description: "The flag's key" }),
    ApiParam({ name: 'environmentKey', type: String, required: true, description: "The environment's key" }),
  );
