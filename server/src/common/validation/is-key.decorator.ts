import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, type ValidationOptions } from 'class-validator';

export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** A key of a project, environment, flag or segment: lowercase letters, digits, `.`, `-`, `_`; at most 128. */
export const IsKey = (options: Pick<ValidationOptions, 'each'> = {}) =>
  applyDecorators(
    IsString(options),
    MaxLength(128, options),
    Matches(KEY_PATTERN, { ...options, message: '$property must use only lowercase letters, digits, ".", "-" and "_", starting with a letter or digit' }),
  );

/** `IsKey` plus its OpenAPI description, for request bodies. */
export const ApiKeyProperty = (description: string) => applyDecorators(ApiProperty({ description, pattern: KEY_PATTERN.source, maxLength: 128 }), IsKey());

/** A flag's variant key (`v2`, `modelB`): letters of either case, digits, `.`, `-`, `_`; at most 128. */
export const VARIANT_KEY_PATTERN = /^[A-Za-z0-9._-]+$/;

/** A variant key, wherever one is named: in a flag, an experiment, a rollout or a filter. */
export const IsVariantKey = (options: Pick<ValidationOptions, 'each'> = {}) =>
  applyDecorators(
    IsString(options),
    MaxLength(128, options),
    Matches(VARIANT_KEY_PATTERN, { ...options, message: '$property must use only letters, digits, ".", "-" and "_"' }),
  );

/** `IsVariantKey` plus its OpenAPI description, for request bodies. */
export const ApiVariantKeyProperty = (description: string) =>
  applyDecorators(ApiProperty({ description, pattern: VARIANT_KEY_PATTERN.source, maxLength: 128 }), IsVariantKey());
